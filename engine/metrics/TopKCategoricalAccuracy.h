#pragma once
// Keras top_k_categorical_accuracy (k = 5): argmax(t) is among the k largest predictions
// (tf.math.in_top_k tie rule).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  TopKCategoricalAccuracy(std::string name, int k) : MeanMetricWrapper(std::move(name)), k_(k) {}
  int k() const { return k_; }

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;

 private:
  int k_;
};

}  // namespace tessel
