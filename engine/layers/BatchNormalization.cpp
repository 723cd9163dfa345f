#include "engine/layers/BatchNormalization.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/ConvDeps.h"

namespace tessel {

namespace {
struct View {
  Index outer = 1, c = 1, inner = 1;
};
View viewOf(const Shape& s, int axis) {
  View v;
  for (int i = 0; i < int(s.size()); ++i) {
    if (i < axis) v.outer *= s[size_t(i)];
    if (i == axis) v.c = s[size_t(i)];
    if (i > axis) v.inner *= s[size_t(i)];
  }
  return v;
}
}  // namespace

BatchNormalization::BatchNormalization(const json& config) : Layer("BatchNormalization", config) {
  const json& a = config_.at("axis");
  if (a.is_array()) {
    if (a.size() != 1 || !a[0].is_number_integer())
      throw SpecError(SpecErrorKind::BadValue, name_,
                      "config 'axis' = " + a.dump() + ": only a single axis is supported");
    axis_ = a[0].get<int>();
  } else {
    axis_ = a.get<int>();
  }
  momentum_ = config_.at("momentum").get<double>();
  epsilon_ = config_.at("epsilon").get<double>();
  center_ = config_.at("center").get<bool>();
  scale_ = config_.at("scale").get<bool>();
}

int BatchNormalization::axisFor(size_t rank) const {
  int a = axis_ < 0 ? axis_ + int(rank) : axis_;
  if (a <= 0 || a >= int(rank))
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "axis " + std::to_string(axis_) + " is out of range for an input of rank " +
                        std::to_string(rank) + " (the batch axis cannot be normalised)");
  return a;
}

Shape BatchNormalization::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "BatchNormalization takes 1 input, got " + std::to_string(inputs.size()));
  int a = axisFor(inputs[0].size());
  if (inputs[0][size_t(a)] == kNone)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "axis " + std::to_string(axis_) + " of the input " + shapeToString(inputs[0]) +
                        " must have a known size");
  return inputs[0];
}

Variable* BatchNormalization::gamma() {
  return scale_ ? &vars_[0] : nullptr;
}
Variable* BatchNormalization::beta() {
  return center_ ? &vars_[scale_ ? 1 : 0] : nullptr;
}

void BatchNormalization::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Index c = inputs[0][size_t(axisFor(inputs[0].size()))];
  vars_.clear();
  if (scale_)
    initializeTensor(config_.at("gamma_initializer"), addVariable("gamma", {c}).value, rng, name_);
  if (center_)
    initializeTensor(config_.at("beta_initializer"), addVariable("beta", {c}).value, rng, name_);
  initializeTensor(config_.at("moving_mean_initializer"),
                   addVariable("moving_mean", {c}, false).value, rng, name_);
  initializeTensor(config_.at("moving_variance_initializer"),
                   addVariable("moving_variance", {c}, false).value, rng, name_);
  built_ = true;
}

void BatchNormalization::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  const View v = viewOf(X.shape(), axisFor(size_t(X.rank())));
  const Index C = v.c;
  y.resize(X.shape());
  mean_.resize(static_cast<size_t>(C));
  invStd_.resize(static_cast<size_t>(C));
  usedBatchStats_ = ctx.training && trainable();
  if (usedBatchStats_) {
    // Two passes in double: mean, then biased variance.
    std::vector<double> sum(static_cast<size_t>(C), 0.0), sq(static_cast<size_t>(C), 0.0);
    double* s = sum.data();
    double* q = sq.data();
    const float* xp = X.data();
#pragma omp parallel for reduction(+ : s[:C]) schedule(static)
    for (Index o = 0; o < v.outer; ++o)
      for (Index c = 0; c < C; ++c) {
        const float* p = xp + (o * C + c) * v.inner;
        double acc = 0;
        for (Index i = 0; i < v.inner; ++i) acc += p[i];
        s[c] += acc;
      }
    const double m = double(v.outer * v.inner);
    for (Index c = 0; c < C; ++c) mean_[size_t(c)] = float(s[c] / m);
    const float* mp = mean_.data();
#pragma omp parallel for reduction(+ : q[:C]) schedule(static)
    for (Index o = 0; o < v.outer; ++o)
      for (Index c = 0; c < C; ++c) {
        const float* p = xp + (o * C + c) * v.inner;
        double acc = 0;
        for (Index i = 0; i < v.inner; ++i) {
          const double d = double(p[i]) - mp[c];
          acc += d * d;
        }
        q[c] += acc;
      }
    Tensor& mm = movingMean().value;
    Tensor& mv = movingVariance().value;
    const float decay = float(1.0 - momentum_);
    for (Index c = 0; c < C; ++c) {
      const double var = q[c] / m;
      invStd_[size_t(c)] = float(1.0 / std::sqrt(var + epsilon_));
      mm[c] -= (mm[c] - mean_[size_t(c)]) * decay;
      mv[c] -= (mv[c] - float(var)) * decay;
    }
  } else {
    const Tensor& mm = movingMean().value;
    const Tensor& mv = movingVariance().value;
    for (Index c = 0; c < C; ++c) {
      mean_[size_t(c)] = mm[c];
      invStd_[size_t(c)] = float(1.0 / std::sqrt(double(mv[c]) + epsilon_));
    }
  }
  // y = x·a + b per channel, a = gamma·invstd, b = beta - mean·a.
  std::vector<float> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
  const Variable* g = gamma();
  const Variable* be = beta();
  for (Index c = 0; c < C; ++c) {
    a[size_t(c)] = (g ? g->value[c] : 1.0f) * invStd_[size_t(c)];
    b[size_t(c)] = (be ? be->value[c] : 0.0f) - mean_[size_t(c)] * a[size_t(c)];
  }
  const float* xp = X.data();
  float* yp = y.data();
  const float* ap = a.data();
  const float* bp = b.data();
#pragma omp parallel for schedule(static)
  for (Index o = 0; o < v.outer; ++o)
    for (Index c = 0; c < C; ++c) {
      const Index base = (o * C + c) * v.inner;
      for (Index i = 0; i < v.inner; ++i) yp[base + i] = xp[base + i] * ap[c] + bp[c];
    }
}

void BatchNormalization::backward(const std::vector<const Tensor*>& x, const Tensor&,
                                  const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const View v = viewOf(X.shape(), axisFor(size_t(X.rank())));
  const Index C = v.c;
  // Σdy and Σdy·x̂ per channel.
  std::vector<double> sd(static_cast<size_t>(C), 0.0), sdx(static_cast<size_t>(C), 0.0);
  double* s1 = sd.data();
  double* s2 = sdx.data();
  const float* xp = X.data();
  const float* dyp = dy.data();
  const float* mp = mean_.data();
  const float* ip = invStd_.data();
#pragma omp parallel for reduction(+ : s1[:C], s2[:C]) schedule(static)
  for (Index o = 0; o < v.outer; ++o)
    for (Index c = 0; c < C; ++c) {
      const Index base = (o * C + c) * v.inner;
      double a1 = 0, a2 = 0;
      for (Index i = 0; i < v.inner; ++i) {
        const double xh = (double(xp[base + i]) - mp[c]) * ip[c];
        a1 += dyp[base + i];
        a2 += dyp[base + i] * xh;
      }
      s1[c] += a1;
      s2[c] += a2;
    }
  Variable* g = gamma();
  Variable* be = beta();
  if (g && g->trainable)
    for (Index c = 0; c < C; ++c) g->grad[c] = float(s2[c]);
  if (be && be->trainable)
    for (Index c = 0; c < C; ++c) be->grad[c] = float(s1[c]);
  if (dx.empty() || !dx[0]) return;
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  float* dxp = dX.data();
  const double m = double(v.outer * v.inner);
  std::vector<float> k(static_cast<size_t>(C)), k1(static_cast<size_t>(C)),
      k2(static_cast<size_t>(C));
  for (Index c = 0; c < C; ++c) {
    const float gc = g ? g->value[c] : 1.0f;
    k[size_t(c)] = gc * ip[c];
    // training: dx = k·(dy - Σdy/m - x̂·Σ(dy·x̂)/m); inference: dx = k·dy.
    k1[size_t(c)] = usedBatchStats_ ? float(s1[c] / m) : 0.0f;
    k2[size_t(c)] = usedBatchStats_ ? float(s2[c] / m) : 0.0f;
  }
  const float* kp = k.data();
  const float* k1p = k1.data();
  const float* k2p = k2.data();
#pragma omp parallel for schedule(static)
  for (Index o = 0; o < v.outer; ++o)
    for (Index c = 0; c < C; ++c) {
      const Index base = (o * C + c) * v.inner;
      for (Index i = 0; i < v.inner; ++i) {
        const float xh = (xp[base + i] - mp[c]) * ip[c];
        dxp[base + i] = kp[c] * (dyp[base + i] - k1p[c] - xh * k2p[c]);
      }
    }
}

double BatchNormalization::regularization(bool addGrads) {
  double p = 0.0;
  if (Variable* g = gamma())
    p += regularizationPenalty(config_.at("gamma_regularizer"), g->value,
                               addGrads && g->trainable ? &g->grad : nullptr);
  if (Variable* b = beta())
    p += regularizationPenalty(config_.at("beta_regularizer"), b->value,
                               addGrads && b->trainable ? &b->grad : nullptr);
  return p;
}

}  // namespace tessel
