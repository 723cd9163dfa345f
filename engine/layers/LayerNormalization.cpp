#include "engine/layers/LayerNormalization.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/ConvDeps.h"

namespace tessel {

LayerNormalization::LayerNormalization(const json& config) : Layer("LayerNormalization", config) {
  const json& a = config_.at("axis");
  if (a.is_array()) {
    for (const auto& e : a) {
      if (!e.is_number_integer())
        throw SpecError(SpecErrorKind::BadValue, name_, "config 'axis' must hold integers");
      axes_.push_back(e.get<int>());
    }
  } else if (a.is_number_integer()) {
    axes_.push_back(a.get<int>());
  } else {
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'axis' must be an integer or a list");
  }
  if (axes_.empty()) throw SpecError(SpecErrorKind::BadValue, name_, "config 'axis' is empty");
  epsilon_ = config_.at("epsilon").get<double>();
  center_ = config_.at("center").get<bool>();
  scale_ = config_.at("scale").get<bool>();
}

int LayerNormalization::firstAxis(size_t rank) const {
  std::vector<int> r;
  for (int a : axes_) r.push_back(a < 0 ? a + int(rank) : a);
  std::sort(r.begin(), r.end());
  bool ok =
      r.front() >= 1 && r.back() == int(rank) - 1 &&
      std::adjacent_find(r.begin(), r.end(), [](int p, int q) { return q != p + 1; }) == r.end();
  if (!ok)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "axis must name the last axes of the input (rank " + std::to_string(rank) +
                        "); other layouts are not supported");
  return r.front();
}

Shape LayerNormalization::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "LayerNormalization takes 1 input, got " + std::to_string(inputs.size()));
  const Shape& in = inputs[0];
  for (size_t i = size_t(firstAxis(in.size())); i < in.size(); ++i)
    if (in[i] == kNone)
      throw SpecError(
          SpecErrorKind::ShapeMismatch, name_,
          "the normalised axes of the input " + shapeToString(in) + " must have known sizes");
  return in;
}

void LayerNormalization::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Shape& in = inputs[0];
  Shape ps(in.begin() + firstAxis(in.size()), in.end());
  vars_.clear();
  if (scale_)
    initializeTensor(config_.at("gamma_initializer"), addVariable("gamma", ps).value, rng, name_);
  if (center_)
    initializeTensor(config_.at("beta_initializer"), addVariable("beta", ps).value, rng, name_);
  built_ = true;
}

void LayerNormalization::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  const int fa = firstAxis(size_t(X.rank()));
  Index D = 1;
  for (int i = fa; i < X.rank(); ++i) D *= X.dim(i);
  const Index rows = X.size() / D;
  y.resize(X.shape());
  mean_.resize(size_t(rows));
  invStd_.resize(size_t(rows));
  const float* g = scale_ ? vars_[0].value.data() : nullptr;
  const float* b = center_ ? vars_[scale_ ? 1 : 0].value.data() : nullptr;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const float* p = X.data() + r * D;
    float* q = y.data() + r * D;
    double s = 0;
    for (Index i = 0; i < D; ++i) s += p[i];
    const double mean = s / double(D);
    double v = 0;
    for (Index i = 0; i < D; ++i) v += (p[i] - mean) * (p[i] - mean);
    const float inv = float(1.0 / std::sqrt(v / double(D) + epsilon_));
    mean_[size_t(r)] = float(mean);
    invStd_[size_t(r)] = inv;
    for (Index i = 0; i < D; ++i) {
      const float xh = (p[i] - float(mean)) * inv;
      q[i] = xh * (g ? g[i] : 1.0f) + (b ? b[i] : 0.0f);
    }
  }
}

void LayerNormalization::backward(const std::vector<const Tensor*>& x, const Tensor&,
                                  const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const int fa = firstAxis(size_t(X.rank()));
  Index D = 1;
  for (int i = fa; i < X.rank(); ++i) D *= X.dim(i);
  const Index rows = X.size() / D;
  Variable* gv = scale_ ? &vars_[0] : nullptr;
  Variable* bv = center_ ? &vars_[scale_ ? 1 : 0] : nullptr;
  if (gv && gv->trainable) gv->grad.setZero();
  if (bv && bv->trainable) bv->grad.setZero();
  for (Index r = 0; r < rows; ++r) {  // parameter grads: Σ over rows (serial, cheap)
    const float* p = X.data() + r * D;
    const float* d = dy.data() + r * D;
    for (Index i = 0; i < D; ++i) {
      if (gv && gv->trainable) gv->grad[i] += d[i] * (p[i] - mean_[size_t(r)]) * invStd_[size_t(r)];
      if (bv && bv->trainable) bv->grad[i] += d[i];
    }
  }
  if (dx.empty() || !dx[0]) return;
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  const float* g = gv ? gv->value.data() : nullptr;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const float* p = X.data() + r * D;
    const float* d = dy.data() + r * D;
    float* o = dX.data() + r * D;
    const float mean = mean_[size_t(r)], inv = invStd_[size_t(r)];
    double s1 = 0, s2 = 0;
    for (Index i = 0; i < D; ++i) {
      const double gi = double(d[i]) * (g ? g[i] : 1.0f);
      s1 += gi;
      s2 += gi * (p[i] - mean) * inv;
    }
    const float m1 = float(s1 / double(D)), m2 = float(s2 / double(D));
    for (Index i = 0; i < D; ++i) {
      const float gi = d[i] * (g ? g[i] : 1.0f);
      o[i] = inv * (gi - m1 - (p[i] - mean) * inv * m2);
    }
  }
}

double LayerNormalization::regularization(bool addGrads) {
  double p = 0.0;
  if (scale_)
    p += regularizationPenalty(config_.at("gamma_regularizer"), vars_[0].value,
                               addGrads && vars_[0].trainable ? &vars_[0].grad : nullptr);
  if (center_) {
    Variable& b = vars_[scale_ ? 1 : 0];
    p += regularizationPenalty(config_.at("beta_regularizer"), b.value,
                               addGrads && b.trainable ? &b.grad : nullptr);
  }
  return p;
}

}  // namespace tessel
