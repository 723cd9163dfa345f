#include "engine/metrics/TopKCategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void TopKCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, yPred.size());
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      hits += inTopK(yPred.data() + off, l.last, argmax(yTrue.data() + off, l.last), k_);
    }
    out[i] = float(double(hits) / double(l.positions));
  }
}

}  // namespace tessel
