#include "engine/layers/GaussianNoise.h"

#include "engine/core/Error.h"

namespace tessel {

GaussianNoise::GaussianNoise(const json& config) : Layer("GaussianNoise", config) {
  stddev_ = config_.at("stddev").get<double>();
  const json& seed = config_.at("seed");
  if (seed.is_number_integer()) ownRng_.emplace(seed.get<std::uint64_t>());
}

Shape GaussianNoise::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "GaussianNoise takes 1 input, got " + std::to_string(inputs.size()));
  return inputs[0];
}

void GaussianNoise::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  y.resize(X.shape());
  if (!ctx.training || stddev_ == 0.0) {
    std::copy(X.data(), X.data() + X.size(), y.data());
    return;
  }
  Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
  for (Index i = 0; i < X.size(); ++i) y[i] = X[i] + rng.normal(0.0f, float(stddev_));
}

void GaussianNoise::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                             const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(x[0]->shape());
  std::copy(dy.data(), dy.data() + dy.size(), dx[0]->data());
}

}  // namespace tessel
