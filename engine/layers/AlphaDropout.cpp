#include "engine/layers/AlphaDropout.h"

#include <cmath>

namespace tessel {

// mul = a * keep (dy/dx), add = a * alpha_p * (1 - keep) + b, both of noise shape.
void AlphaDropout::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  applied_ = ctx.training && rate_ > 0.0 && rate_ < 1.0;  // Keras: only when 0 < rate < 1
  if (!applied_) {
    y.copyFrom(x);
    return;
  }
  const double alphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
  const double a = std::pow((1.0 - rate_) * (1.0 + rate_ * alphaP * alphaP), -0.5);
  const double b = -a * alphaP * rate_;
  drawMask(x.shape(), ctx, float(a), /*withAdd=*/true, float(b), float(a * alphaP + b));
  applyBroadcastMask(x, mul_, &add_, y);  // y = x * (a keep) + (a alpha_p (1 - keep) + b)
}

}  // namespace tessel
