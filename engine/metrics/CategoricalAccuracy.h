#pragma once
// Keras categorical_accuracy: argmax(t) == argmax(p) over the last axis (one-hot labels).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy")
      : MeanMetricWrapper(std::move(name)) {}

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;
};

}  // namespace tessel
