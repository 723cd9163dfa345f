#include "engine/metrics/SparseTopKCategoricalAccuracy.h"

#include <cmath>

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void SparseTopKCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred,
                                                 float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, l.n * l.positions);
  positionHitRate(l, out, [&](Index off, Index p) {
    const float label = yTrue[p];
    const Index target = label == std::floor(label) ? Index(label) : -1;
    return inTopK(yPred.data() + off, l.last, target, k_);
  });
}

}  // namespace tessel
