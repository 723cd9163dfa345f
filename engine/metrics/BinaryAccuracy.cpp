#include "engine/metrics/BinaryAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void BinaryAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  const auto l = metricdetail::layoutOf(yPred);
  metricdetail::checkSize(name(), yTrue, yPred, yPred.size());
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index j = i * l.perSample; j < (i + 1) * l.perSample; ++j)
      hits += (yPred[j] > threshold_ ? 1.0f : 0.0f) == yTrue[j];
    out[i] = float(double(hits) / double(l.perSample));
  }
}

}  // namespace tessel
