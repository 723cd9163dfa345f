#include "engine/metrics/TopKCategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void TopKCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, yPred.size());
  positionHitRate(l, out, [&](Index off, Index) {
    return inTopK(yPred.data() + off, l.last, argmax(yTrue.data() + off, l.last), k_);
  });
}

}  // namespace tessel
