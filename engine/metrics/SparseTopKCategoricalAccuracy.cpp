#include "engine/metrics/SparseTopKCategoricalAccuracy.h"

#include <cmath>

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void SparseTopKCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred,
                                                 float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, l.n * l.positions);
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      const float label = yTrue[i * l.positions + k];
      const Index target = label == std::floor(label) ? Index(label) : -1;
      hits += inTopK(yPred.data() + off, l.last, target, k_);
    }
    out[i] = float(double(hits) / double(l.positions));
  }
}

}  // namespace tessel
