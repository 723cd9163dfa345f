#include "engine/metrics/CategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void CategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, yPred.size());
  positionHitRate(l, out, [&](Index off, Index) {
    return argmax(yTrue.data() + off, l.last) == argmax(yPred.data() + off, l.last);
  });
}

}  // namespace tessel
