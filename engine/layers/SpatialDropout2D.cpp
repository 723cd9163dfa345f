#include "engine/layers/SpatialDropout2D.h"

#include "engine/core/Error.h"
#include "engine/layers/ConvUtils.h"

namespace tessel {

SpatialDropout2D::SpatialDropout2D(const json& config) : Layer("SpatialDropout2D", config) {
  requireChannelsLast(config_, name_);
  rate_ = config_.at("rate").get<double>();
  const json& seed = config_.at("seed");
  if (seed.is_number_integer()) ownRng_.emplace(seed.get<std::uint64_t>());
}

Shape SpatialDropout2D::outputShape(const std::vector<Shape>& inputs) const {
  return requireSpatialInput(inputs, 2, className_, name_);
}

void SpatialDropout2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  y.resize(X.shape());
  applied_ = ctx.training && rate_ > 0.0;
  if (!applied_) {
    std::copy(X.data(), X.data() + X.size(), y.data());
    return;
  }
  const Index n = X.dim(0), c = X.dim(3), hw = X.dim(1) * X.dim(2);
  Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
  const float scale = rate_ >= 1.0 ? 0.0f : float(1.0 / (1.0 - rate_));
  mask_.resize(size_t(n * c));
  for (auto& m : mask_) m = rng.uniform() >= rate_ ? scale : 0.0f;
  for (Index b = 0; b < n; ++b)
    for (Index p = 0; p < hw; ++p) {
      const Index base = (b * hw + p) * c;
      for (Index ch = 0; ch < c; ++ch) y[base + ch] = X[base + ch] * mask_[size_t(b * c + ch)];
    }
}

void SpatialDropout2D::backward(const std::vector<const Tensor*>& x, const Tensor&,
                                const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  if (!applied_) {
    std::copy(dy.data(), dy.data() + dy.size(), dX.data());
    return;
  }
  const Index n = X.dim(0), c = X.dim(3), hw = X.dim(1) * X.dim(2);
  for (Index b = 0; b < n; ++b)
    for (Index p = 0; p < hw; ++p) {
      const Index base = (b * hw + p) * c;
      for (Index ch = 0; ch < c; ++ch) dX[base + ch] = dy[base + ch] * mask_[size_t(b * c + ch)];
    }
}

}  // namespace tessel
