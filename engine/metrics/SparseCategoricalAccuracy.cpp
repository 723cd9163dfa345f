#include "engine/metrics/SparseCategoricalAccuracy.h"

#include "engine/metrics/MetricLayout.h"

namespace tessel {

void SparseCategoricalAccuracy::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  checkSize(name(), yTrue, yPred, l.n * l.positions);
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      hits += float(argmax(yPred.data() + off, l.last)) == yTrue[i * l.positions + k];
    }
    out[i] = float(double(hits) / double(l.positions));
  }
}

}  // namespace tessel
