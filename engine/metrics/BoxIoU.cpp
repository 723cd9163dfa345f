#include "engine/metrics/BoxIoU.h"

#include "engine/data/Boxes.h"
#include "engine/metrics/MetricLayout.h"

namespace tessel {

void BoxIoU::sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) {
  using namespace metricdetail;
  const auto l = layoutOf(yPred);
  if (l.last != 4)
    throw Error("metric '" + name() +
                "': expects boxes [y_min, x_min, y_max, x_max] as the last "
                "axis (size 4), got output shape " +
                shapeToString(yPred.shape()));
  checkSize(name(), yTrue, yPred, yPred.size());
  for (Index i = 0; i < l.n; ++i) {
    double sum = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * 4;
      sum += boxIou(yTrue.data() + off, yPred.data() + off);
    }
    out[i] = float(sum / double(l.positions));
  }
}

}  // namespace tessel
