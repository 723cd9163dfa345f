#pragma once
// A custom metric written as an expression of y_true, y_pred and sample_weight (N,), averaged
// over every sample since reset() as Keras's MeanMetricWrapper averages a metric function.
// Serialized as {"class_name": "ExpressionMetric", "config": {"name": ..., "expression": ...}}.
#include "engine/expr/ExprSampleFunction.h"
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class ExpressionMetric : public MeanMetricWrapper {
 public:
  ExpressionMetric(const std::string& expression, std::string name);
  void update(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight) override;

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;

 private:
  ExprSampleFunction fn_;
  const float* weights_ = nullptr;  // the batch's sample weights, during update()
};

}  // namespace tessel
