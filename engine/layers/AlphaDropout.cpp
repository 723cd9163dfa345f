#include "engine/layers/AlphaDropout.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/Dropout.h"

namespace tessel {

AlphaDropout::AlphaDropout(const json& config) : Layer("AlphaDropout", config) {
  rate_ = config_.at("rate").get<double>();
  if (rate_ < 0 || rate_ >= 1) throwBadValue("config 'rate' must be in [0, 1)");
  const json& seed = config_.at("seed");
  if (seed.is_number_integer()) ownRng_.emplace(seed.get<std::uint64_t>());
}

Shape AlphaDropout::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  try {
    resolveNoiseShape(config_.at("noise_shape"), inputs[0]);
  } catch (const SpecError&) {
    throw;
  } catch (const Error& e) {
    throwShapeMismatch(e.what());
  }
  return inputs[0];
}

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
  Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
  const Shape ns = resolveNoiseShape(config_["noise_shape"], x.shape());
  mul_.resize(ns);
  add_.resize(ns);
  const float rate = float(rate_), keepMul = float(a), dropAdd = float(a * alphaP + b),
              keepAdd = float(b);
  for (Index i = 0; i < mul_.size(); ++i) {
    const bool keep = rng.uniform() >= rate;
    mul_[i] = keep ? keepMul : 0.0f;
    add_[i] = keep ? keepAdd : dropAdd;
  }
  applyBroadcastMask(x, mul_, &add_, y);  // y = x * (a keep) + (a alpha_p (1 - keep) + b)
}

// dx = dy * a * keep
void AlphaDropout::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                            const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  if (!applied_) {
    dx[0]->copyFrom(dy);
    return;
  }
  applyBroadcastMask(dy, mul_, nullptr, *dx[0]);
}

}  // namespace tessel
