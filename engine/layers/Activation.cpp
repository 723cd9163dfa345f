#include "engine/layers/Activation.h"

#include "engine/core/Error.h"

namespace tessel {

Activation::Activation(const json& config) : Layer("Activation", config) {
  const json& a = config_.at("activation");
  if (a.is_null()) return;
  try {
    fn_ = activationFromName(a.get<std::string>());
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
}

Shape Activation::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  if (fn_ == ActivationFn::Softmax && inputs[0].size() < 2)
    throwShapeMismatch("softmax needs an input of rank >= 2, got " + shapeToString(inputs[0]));
  return inputs[0];
}

// x is (N, ..., C) viewed as (rows, C) for softmax (axis -1); y = f(x), same shape.
void Activation::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  const Tensor& x = *xs[0];
  y.resize(x.shape());
  const Index last = x.rank() ? x.dim(-1) : 1;
  const Index rows = last ? x.size() / last : 0;
  activationForward(fn_, x.data(), y.data(), rows, last);
}

// dx = dy * f'(x)
void Activation::backward(const std::vector<const Tensor*>& xs, const Tensor& y, const Tensor& dy,
                          const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  dx[0]->resize(x.shape());
  const Index last = x.rank() ? x.dim(-1) : 1;
  const Index rows = last ? x.size() / last : 0;
  activationBackward(fn_, x.data(), y.data(), dy.data(), dx[0]->data(), rows, last);
}

}  // namespace tessel
