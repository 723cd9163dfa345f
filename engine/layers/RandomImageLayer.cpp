#include "engine/layers/RandomImageLayer.h"

#include <algorithm>

namespace tessel {

RandomImageLayer::RandomImageLayer(std::string className, const json& config)
    : Layer(std::move(className), config), rng_(config_.at("seed")) {}

Shape RandomImageLayer::outputShape(const std::vector<Shape>& inputs) const {
  requireImageInput(inputs, className_, name_);
  return inputs[0];
}

void RandomImageLayer::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  y.resize(X.shape());
  applied_ = ctx.training && X.rank() == 4;
  if (!applied_) {
    std::copy(X.data(), X.data() + X.size(), y.data());
    return;
  }
  augment(X, y, rng_.forCall(ctx));
}

void RandomImageLayer::backward(const std::vector<const Tensor*>& x, const Tensor&,
                                const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  Tensor& dX = *dx[0];
  dX.resize(x[0]->shape());
  if (!applied_) {
    std::copy(dy.data(), dy.data() + dy.size(), dX.data());
    return;
  }
  augmentBackward(*x[0], dy, dX);
}

}  // namespace tessel
