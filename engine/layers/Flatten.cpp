#include "engine/layers/Flatten.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

Flatten::Flatten(const json& config) : Layer("Flatten", config) {
  const json& f = config_.at("data_format");
  channelsFirst_ = f.is_string() && f.get<std::string>() == "channels_first";
}

Shape Flatten::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.empty()) throwShapeMismatch("Flatten needs a batch dimension, got " + shapeToString(in));
  Index n = 1;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i] == kNone) return {kNone, kNone};
    n *= in[i];
  }
  return {kNone, n};
}

// x is (N, C, S) in channels_first view (S = product of the spatial dims) -> y (N, S*C) with
// y[n, s*C + c] = x[n, c, s]; otherwise a plain copy (row-major flatten).
void Flatten::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  const Tensor& x = *xs[0];
  const Index n = x.rank() ? x.dim(0) : 1;
  const Index features = n ? x.size() / n : 0;
  y.resize({n, features});
  if (!channelsFirst_ || x.rank() < 3) {
    std::copy(x.data(), x.data() + x.size(), y.data());
    return;
  }
  const Index c = x.dim(1), s = features / c;
  for (Index b = 0; b < n; ++b) {
    const float* src = x.data() + b * features;
    float* dst = y.data() + b * features;
    for (Index ci = 0; ci < c; ++ci)
      for (Index si = 0; si < s; ++si) dst[si * c + ci] = src[ci * s + si];
  }
}

// dx has x's shape; the inverse permutation of forward.
void Flatten::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  dx[0]->resize(x.shape());
  if (!channelsFirst_ || x.rank() < 3) {
    std::copy(dy.data(), dy.data() + dy.size(), dx[0]->data());
    return;
  }
  const Index n = x.dim(0), features = n ? x.size() / n : 0, c = x.dim(1), s = features / c;
  for (Index b = 0; b < n; ++b) {
    const float* src = dy.data() + b * features;
    float* dst = dx[0]->data() + b * features;
    for (Index ci = 0; ci < c; ++ci)
      for (Index si = 0; si < s; ++si) dst[ci * s + si] = src[si * c + ci];
  }
}

}  // namespace tessel
