#include "engine/layers/Minimum.h"

namespace tessel {

Minimum::Minimum(const json& config) : MergeLayer("Minimum", config) {}

// y = min_i x_i, x_i and y (N, ...)
void Minimum::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array().min(x[1]->array());
  for (size_t i = 2; i < x.size(); ++i) y.array() = y.array().min(x[i]->array());
}

// The gradient goes to the input that holds the minimum (MergeLayer::routeToSelected).
void Minimum::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  routeToSelected(x, y, dy, dx);
}

}  // namespace tessel
