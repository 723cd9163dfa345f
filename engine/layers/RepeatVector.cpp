#include "engine/layers/RepeatVector.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

RepeatVector::RepeatVector(const json& config) : Layer("RepeatVector", config) {
  n_ = config_.at("n").get<Index>();
  if (n_ < 1) throwBadValue("config 'n' must be positive, got " + std::to_string(n_));
}

Shape RepeatVector::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.size() != 2)
    throwShapeMismatch("RepeatVector needs an input of rank 2 (batch, features), got " +
                       shapeToString(in));
  return {in[0], n_, in[1]};
}

// x (N, F) -> y (N, n, F).
void RepeatVector::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  const Tensor& x = *xs[0];
  const Index batch = x.dim(0), f = x.size() / std::max<Index>(batch, 1);
  y.resize({batch, n_, f});
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < n_; ++t)
      std::copy(x.data() + b * f, x.data() + (b + 1) * f, y.data() + (b * n_ + t) * f);
}

// dx[b, :] = sum_t dy[b, t, :].
void RepeatVector::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                            const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  const Index batch = x.dim(0), f = x.size() / std::max<Index>(batch, 1);
  dx[0]->resize(x.shape());
  dx[0]->setZero();
  for (Index b = 0; b < batch; ++b) {
    float* d = dx[0]->data() + b * f;
    for (Index t = 0; t < n_; ++t) {
      const float* g = dy.data() + (b * n_ + t) * f;
      for (Index k = 0; k < f; ++k) d[k] += g[k];
    }
  }
}

}  // namespace tessel
