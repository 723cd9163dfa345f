#include "engine/layers/Rescaling.h"

namespace tessel {

Rescaling::Rescaling(const json& config) : Layer("Rescaling", config) {
  scale_ = config_.at("scale").get<float>();
  offset_ = config_.at("offset").get<float>();
}

Shape Rescaling::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  return inputs[0];
}

void Rescaling::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  y.resize(X.shape());
  y.array() = X.array() * scale_ + offset_;
}

void Rescaling::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                         const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(x[0]->shape());
  dx[0]->array() = dy.array() * scale_;
}

}  // namespace tessel
