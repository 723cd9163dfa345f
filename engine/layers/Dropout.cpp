#include "engine/layers/Dropout.h"

namespace tessel {

// training: mask (noise shape) = (u >= rate) / (1 - rate); y = x * mask (broadcast).
void Dropout::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  applied_ = ctx.training && rate_ > 0.0;
  if (!applied_) {
    y.copyFrom(x);
    return;
  }
  drawMask(x.shape(), ctx, float(1.0 / (1.0 - rate_)));
  applyBroadcastMask(x, mul_, nullptr, y);
}

}  // namespace tessel
