#include "engine/layers/DropoutBase.h"

#include "engine/core/Error.h"

namespace tessel {

Shape resolveNoiseShape(const json& noiseShape, const Shape& x) {
  if (noiseShape.is_null()) return x;
  if (!noiseShape.is_array() || noiseShape.size() != x.size())
    throw Error("noise_shape " + noiseShape.dump() + " does not match the rank of input " +
                shapeToString(x));
  Shape s(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const json& d = noiseShape[i];
    s[i] = d.is_null() ? x[i] : d.get<Index>();
    if (s[i] != x[i] && s[i] != 1 && x[i] != kNone)
      throw Error("noise_shape " + noiseShape.dump() + " does not broadcast to input " +
                  shapeToString(x));
  }
  return s;
}

void applyBroadcastMask(const Tensor& x, const Tensor& mul, const Tensor* add, Tensor& y) {
  y.resize(x.shape());
  if (mul.shape() == x.shape()) {  // the common case: elementwise
    if (add)
      y.array() = x.array() * mul.array() + add->array();
    else
      y.array() = x.array() * mul.array();
    return;
  }
  // General broadcast: walk x in row-major order, mask offset from per-axis strides (0 where the
  // mask dimension is 1).
  const int r = x.rank();
  std::vector<Index> mstride(size_t(r), 0), idx(size_t(r), 0);
  Index s = 1;
  for (int i = r - 1; i >= 0; --i) {
    mstride[size_t(i)] = mul.shape()[size_t(i)] == 1 ? 0 : s;
    s *= mul.shape()[size_t(i)];
  }
  Index moff = 0;
  for (Index k = 0; k < x.size(); ++k) {
    y[k] = x[k] * mul[moff] + (add ? (*add)[moff] : 0.0f);
    for (int i = r - 1; i >= 0; --i) {  // increment the multi-index
      moff += mstride[size_t(i)];
      if (++idx[size_t(i)] < x.shape()[size_t(i)]) break;
      moff -= mstride[size_t(i)] * idx[size_t(i)];
      idx[size_t(i)] = 0;
    }
  }
}

DropoutBase::DropoutBase(std::string className, const json& config)
    : Layer(std::move(className), config) {
  rate_ = config_.at("rate").get<double>();
  if (rate_ < 0 || rate_ >= 1) throwBadValue("config 'rate' must be in [0, 1)");
  const json& seed = config_.at("seed");
  if (seed.is_number_integer()) ownRng_.emplace(seed.get<std::uint64_t>());
}

Shape DropoutBase::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  try {
    resolveNoiseShape(config_.at("noise_shape"), inputs[0]);
  } catch (const SpecError&) {
    throw;
  } catch (const Error& e) {
    throwShapeMismatch(e.what());
  }
  return inputs[0];
}

void DropoutBase::drawMask(const Shape& x, RunContext& ctx, float keepMul, bool withAdd,
                           float keepAdd, float dropAdd) {
  Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
  const Shape ns = resolveNoiseShape(config_.at("noise_shape"), x);
  mul_.resize(ns);
  if (withAdd) add_.resize(ns);
  const float rate = float(rate_);
  for (Index i = 0; i < mul_.size(); ++i) {
    const bool keep = rng.uniform() >= rate;
    mul_[i] = keep ? keepMul : 0.0f;
    if (withAdd) add_[i] = keep ? keepAdd : dropAdd;
  }
}

void DropoutBase::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                           const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  if (!applied_) {
    dx[0]->copyFrom(dy);
    return;
  }
  applyBroadcastMask(dy, mul_, nullptr, *dx[0]);
}

}  // namespace tessel
