#include "engine/metrics/ExpressionMetric.h"

namespace tessel {

ExpressionMetric::ExpressionMetric(const std::string& expression, std::string name)
    : MeanMetricWrapper(std::move(name)), fn_(expression, true) {}

void ExpressionMetric::update(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight) {
  weights_ = sampleWeight;
  MeanMetricWrapper::update(yTrue, yPred, sampleWeight);
  weights_ = nullptr;
}

void ExpressionMetric::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  fn_.values(yTrue, yPred, weights_, out);
}

}  // namespace tessel
