#include "engine/metrics/CategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void CategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, yPred.size());
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      hits += argmax(yTrue.data() + off, l.last) == argmax(yPred.data() + off, l.last);
    }
    out[i] = float(double(hits) / double(l.positions));
  }
}

}  // namespace tessel
