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

// dx_i[k] = dy[k] when i is the first input with x_i[k] == y[k] (ties go to the earlier input,
// as tf.minimum's gradient does when chained), else 0.
void Minimum::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  for (size_t i = 0; i < dx.size() && i < x.size(); ++i)
    if (dx[i]) {
      dx[i]->resize(dy.shape());
      dx[i]->fill(0.0f);
    }
  const float* out = y.data();
  for (Index k = 0; k < y.size(); ++k) {
    size_t i = 0;
    while (i + 1 < x.size() && x[i]->data()[k] != out[k]) ++i;
    if (i < dx.size() && dx[i]) dx[i]->data()[k] = dy.data()[k];
  }
}

}  // namespace tessel
