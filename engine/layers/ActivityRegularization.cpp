#include "engine/layers/ActivityRegularization.h"

namespace tessel {

ActivityRegularization::ActivityRegularization(const json& config)
    : Layer("ActivityRegularization", config) {
  reg_.l1 = config_.at("l1").get<double>();
  reg_.l2 = config_.at("l2").get<double>();
  reg_.active = reg_.l1 != 0.0 || reg_.l2 != 0.0;
}

Shape ActivityRegularization::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  return inputs[0];
}

// y = x; loss += (l1 sum|x| + l2 sum x^2) / N
void ActivityRegularization::forward(const std::vector<const Tensor*>& xs, Tensor& y,
                                     RunContext& ctx) {
  const Tensor& x = *xs[0];
  y.copyFrom(x);
  if (reg_.active && x.rank() && x.dim(0) > 0)
    ctx.addedLoss += reg_.penalty(x.data(), x.size()) / double(x.dim(0));
}

// dx = dy + (l1 sign(x) + 2 l2 x) / N
void ActivityRegularization::backward(const std::vector<const Tensor*>& xs, const Tensor&,
                                      const Tensor& dy, const std::vector<Tensor*>& dx,
                                      RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  dx[0]->copyFrom(dy);
  if (reg_.active && x.dim(0) > 0)
    reg_.addGradient(x.data(), dx[0]->data(), x.size(), 1.0f / float(x.dim(0)));
}

}  // namespace tessel
