#include "engine/layers/Add.h"

namespace tessel {

Add::Add(const json& config) : MergeLayer("Add", config) {}

// y = sum_i x_i
void Add::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array() + x[1]->array();
  for (size_t i = 2; i < x.size(); ++i) y.array() += x[i]->array();
}

// dx_i = dy
void Add::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                   const std::vector<Tensor*>& dx, RunContext&) {
  for (Tensor* d : dx)
    if (d) d->copyFrom(dy);
}

}  // namespace tessel
