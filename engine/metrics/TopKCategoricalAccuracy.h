#pragma once
// Keras top_k_categorical_accuracy (k = 5): argmax(t) is among the k largest predictions
// (tf.math.in_top_k tie rule).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit TopKCategoricalAccuracy(std::string name = "top_k_categorical_accuracy", int k = 5)
      : MeanMetricWrapper(std::move(name)), k_(k) {}
  int k() const { return k_; }

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;

 private:
  int k_;
};

}  // namespace tessel
