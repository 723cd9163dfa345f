#pragma once
// Keras RootMeanSquaredError: sqrt of the running weighted mean of the squared errors over every
// sample since reset() (not the mean of per-batch roots).
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class RootMeanSquaredError : public MeanMetricWrapper {
 public:
  explicit RootMeanSquaredError(std::string name = "root_mean_squared_error")
      : MeanMetricWrapper(std::move(name)) {}
  double result() const override;

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;
};

}  // namespace tessel
