#include "engine/layers/Multiply.h"

namespace tessel {

Multiply::Multiply(const json& config) : MergeLayer("Multiply", config) {}

// y = prod_i x_i
void Multiply::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array() * x[1]->array();
  for (size_t i = 2; i < x.size(); ++i) y.array() *= x[i]->array();
}

// dx_i = dy * prod_{j != i} x_j (no division, so zeros are fine)
void Multiply::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                        const std::vector<Tensor*>& dx, RunContext&) {
  for (size_t i = 0; i < dx.size() && i < x.size(); ++i) {
    if (!dx[i]) continue;
    dx[i]->resize(dy.shape());
    dx[i]->array() = dy.array();
    for (size_t j = 0; j < x.size(); ++j)
      if (j != i) dx[i]->array() *= x[j]->array();
  }
}

}  // namespace tessel
