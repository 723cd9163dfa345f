#include "engine/layers/Maximum.h"

namespace tessel {

Maximum::Maximum(const json& config) : MergeLayer("Maximum", config) {}

// y = max_i x_i, x_i and y (N, ...)
void Maximum::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array().max(x[1]->array());
  for (size_t i = 2; i < x.size(); ++i) y.array() = y.array().max(x[i]->array());
}

// The gradient goes to the input that holds the maximum (MergeLayer::routeToSelected).
void Maximum::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  routeToSelected(x, y, dy, dx);
}

}  // namespace tessel
