#pragma once
// Keras sparse_categorical_accuracy: label (a class id, one per position) == argmax(p).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy")
      : MeanMetricWrapper(std::move(name)) {}

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;
};

}  // namespace tessel
