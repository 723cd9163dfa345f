#pragma once
// Keras binary_accuracy: mean over the last axis of [ (p > threshold) == t ], threshold 0.5.
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class BinaryAccuracy : public MeanMetricWrapper {
 public:
  BinaryAccuracy(std::string name, float threshold)
      : MeanMetricWrapper(std::move(name)), threshold_(threshold) {}
  float threshold() const { return threshold_; }

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;

 private:
  float threshold_;
};

}  // namespace tessel
