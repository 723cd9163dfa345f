#include "engine/layers/Reshape.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

Reshape::Reshape(const json& config) : Layer("Reshape", config) {
  const json& t = config_.at("target_shape");
  if (t.is_number_integer()) {
    target_.push_back(t.get<Index>());
  } else if (t.is_array()) {
    for (const auto& d : t) {
      if (d.is_null()) {  // TF.js writes the inferred dimension as null
        target_.push_back(-1);
        continue;
      }
      if (!d.is_number_integer()) throwBadValue("config 'target_shape' must list integers");
      target_.push_back(d.get<Index>());
    }
  } else {
    throwBadValue("config 'target_shape' must be a list of integers");
  }
  int unknown = 0;
  for (Index d : target_) {
    if (d == -1)
      ++unknown;
    else if (d < 1)
      throwBadValue("config 'target_shape' = " + t.dump() +
                    ": dimensions must be "
                    "positive or -1");
  }
  if (unknown > 1)
    throwBadValue("config 'target_shape' = " + t.dump() + ": at most one dimension may be -1");
}

Shape Reshape::resolve(Index features, const Shape& input) const {
  Shape out{kNone};
  Index known = 1, unknownAt = -1;
  for (size_t i = 0; i < target_.size(); ++i) {
    if (target_[i] == -1)
      unknownAt = Index(i);
    else if (__builtin_mul_overflow(known, target_[i], &known))
      throwBadValue("config 'target_shape' " + shapeToString(target_) + " has too many values");
    out.push_back(target_[i]);
  }
  if (features == kNone) {  // unknown input size: -1 stays unknown
    if (unknownAt >= 0) out[size_t(unknownAt) + 1] = kNone;
    return out;
  }
  if (unknownAt >= 0) {
    if (known == 0 || features % known != 0)
      throwShapeMismatch("cannot reshape input " + shapeToString(input) + " to target shape " +
                         shapeToString(withBatch(out, kNone)));
    out[size_t(unknownAt) + 1] = features / known;
  } else if (known != features) {
    throwShapeMismatch("cannot reshape input " + shapeToString(input) + " (" +
                       std::to_string(features) + " values per sample) to target shape " +
                       shapeToString(out) + " (" + std::to_string(known) + " values)");
  }
  return out;
}

Shape Reshape::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.empty()) throwShapeMismatch("Reshape needs a batch dimension, got " + shapeToString(in));
  Index features = 1;
  if (std::count(in.begin() + 1, in.end(), kNone)) {
    features = kNone;
  } else {
    for (size_t i = 1; i < in.size(); ++i)
      if (__builtin_mul_overflow(features, in[i], &features))
        throwShapeMismatch("input " + shapeToString(in) + " has too many values per sample");
  }
  return resolve(features, in);
}

// x (N, ...) -> y (N, *target): same values in the same order.
void Reshape::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  const Tensor& x = *xs[0];
  const Index n = x.dim(0);
  y.resize(withBatch(resolve(n ? x.size() / n : 0, x.shape()), n));
  std::copy(x.data(), x.data() + x.size(), y.data());
}

// dx (x's shape) = dy, reshaped back.
void Reshape::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(xs[0]->shape());
  std::copy(dy.data(), dy.data() + dy.size(), dx[0]->data());
}

}  // namespace tessel
