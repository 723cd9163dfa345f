#include "engine/metrics/SparseCategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void SparseCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, l.n * l.positions);
  positionHitRate(l, out, [&](Index off, Index p) {
    return float(argmax(yPred.data() + off, l.last)) == yTrue[p];
  });
}

}  // namespace tessel
