#pragma once
// Keras sparse_top_k_categorical_accuracy (k = 5): the label's class is among the k largest
// predictions (tf.math.in_top_k tie rule; an id outside [0, C) counts as a miss).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  SparseTopKCategoricalAccuracy(std::string name, int k)
      : MeanMetricWrapper(std::move(name)), k_(k) {}
  int k() const { return k_; }

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;

 private:
  int k_;
};

}  // namespace tessel
