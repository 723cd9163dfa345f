#include "engine/layers/Average.h"

namespace tessel {

Average::Average(const json& config) : MergeLayer("Average", config) {}

// y = (sum_i x_i) / k
void Average::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array() + x[1]->array();
  for (size_t i = 2; i < x.size(); ++i) y.array() += x[i]->array();
  y.array() *= 1.0f / float(x.size());
}

// dx_i = dy / k
void Average::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  const float k = 1.0f / float(x.size());
  for (Tensor* d : dx) {
    if (!d) continue;
    d->resize(dy.shape());
    d->array() = dy.array() * k;
  }
}

}  // namespace tessel
