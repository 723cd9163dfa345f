#include "engine/metrics/RootMeanSquaredError.h"

#include <cmath>

#include "engine/metrics/MetricLayout.h"

namespace tessel {

double RootMeanSquaredError::result() const {
  return std::sqrt(MeanMetricWrapper::result());
}

void RootMeanSquaredError::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  const auto l = metricdetail::layoutOf(yPred);
  metricdetail::checkSize(name(), yTrue, yPred, yPred.size());
  for (Index i = 0; i < l.n; ++i) {
    double s = 0;
    for (Index j = i * l.perSample; j < (i + 1) * l.perSample; ++j) {
      const double e = double(yPred[j]) - double(yTrue[j]);
      s += e * e;
    }
    out[i] = float(s / double(l.perSample));
  }
}

}  // namespace tessel
