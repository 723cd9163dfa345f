#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

void MeanMetricWrapper::update(const Tensor& yTrue, const Tensor& yPred,
                               const float* sampleWeight) {
  const Index n = yPred.rank() >= 1 ? yPred.dim(0) : 1;
  if (n <= 0) return;
  if (values_.size() < size_t(n)) values_.resize(size_t(n));
  sampleValues(yTrue, yPred, values_.data());
  for (Index i = 0; i < n; ++i) {
    const double w = sampleWeight ? sampleWeight[i] : 1.0;
    total_ += w * values_[size_t(i)];
    count_ += w;
  }
}

}  // namespace tessel
