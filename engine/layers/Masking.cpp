#include "engine/layers/Masking.h"

#include "engine/core/Error.h"

namespace tessel {

Masking::Masking(const json& config) : Layer("Masking", config) {
  try {
    maskValue_ = config_.at("mask_value").get<float>();
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
}

Shape Masking::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  if (inputs[0].size() < 3)
    throwShapeMismatch("Masking needs an input of rank >= 3 (batch, timesteps, features), got " +
                       shapeToString(inputs[0]));
  if (inputs[0].back() == kNone)
    throwShapeMismatch("Masking needs a known last dimension, got " + shapeToString(inputs[0]));
  return inputs[0];
}

void Masking::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  const Index f = x.dim(-1), rows = x.size() / f;
  Shape ks(x.shape().begin(), x.shape().end() - 1);
  keep_.resize(ks);
  y.resize(x.shape());
  for (Index r = 0; r < rows; ++r) {
    bool any = false;
    for (Index j = 0; j < f; ++j) any |= x[r * f + j] != maskValue_;
    keep_[r] = any ? 1.0f : 0.0f;
    for (Index j = 0; j < f; ++j) y[r * f + j] = any ? x[r * f + j] : 0.0f;
  }
  if (ctx.outputMask) ctx.outputMask->copyFrom(keep_);
}

void Masking::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  const Index f = x.dim(-1), rows = x.size() / f;
  dx[0]->resize(x.shape());
  for (Index r = 0; r < rows; ++r)
    for (Index j = 0; j < f; ++j) (*dx[0])[r * f + j] = dy[r * f + j] * keep_[r];
}

}  // namespace tessel
