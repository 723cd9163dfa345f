#include "engine/layers/Dot.h"

#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

namespace {

constexpr float kNormEpsilon = 1e-12f;  // tf.linalg.l2_normalize's default (Keras 2)

using RowMajorMap = Eigen::Map<MatrixRM, Eigen::Unaligned>;
using ConstRowMajorMap = Eigen::Map<const MatrixRM, Eigen::Unaligned>;

std::string axesText(const json& axes) {
  return axes.dump();
}

}  // namespace

Dot::Dot(const json& config) : MergeLayer("Dot", config, 2, 2) {
  const json& axes = config_.at("axes");
  if (axes.is_number_integer()) {
    axes_ = {axes.get<int>(), axes.get<int>()};
  } else if (axes.is_array() && axes.size() == 2 && axes[0].is_number_integer() &&
             axes[1].is_number_integer()) {
    axes_ = {axes[0].get<int>(), axes[1].get<int>()};
  } else {
    throwBadValue("config 'axes' = " + axesText(axes) +
                  ": expected an integer or a list of two integers");
  }
  if (axes_[0] == 0 || axes_[1] == 0)
    throwBadValue("config 'axes' = " + axesText(axes) +
                  ": cannot take the dot product over the batch axis");
  normalize_ = config_.at("normalize").get<bool>();
}

std::array<int, 2> Dot::resolveAxes(const Shape& s0, const Shape& s1) const {
  std::array<int, 2> a{};
  const Shape* shapes[2] = {&s0, &s1};
  for (int i = 0; i < 2; ++i) {
    const int rank = int(shapes[i]->size());
    a[size_t(i)] = axes_[size_t(i)] < 0 ? axes_[size_t(i)] + rank : axes_[size_t(i)];
    if (a[size_t(i)] < 1 || a[size_t(i)] >= rank)
      throwShapeMismatch("Dot axes " + axesText(config_.at("axes")) +
                         " are out of range for inputs " + shapeToString(s0) + " and " +
                         shapeToString(s1) + " (the batch axis cannot be used)");
  }
  return a;
}

Shape Dot::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 2, 2);
  const Shape& s0 = inputs[0];
  const Shape& s1 = inputs[1];
  if (s0.size() < 2 || s1.size() < 2)
    throwShapeMismatch("Dot needs inputs of rank >= 2 (batch, ...), got " + shapeToString(s0) +
                       " and " + shapeToString(s1));
  const auto a = resolveAxes(s0, s1);
  const Index k0 = s0[size_t(a[0])], k1 = s1[size_t(a[1])];
  if (k0 != kNone && k1 != kNone && k0 != k1)
    throwShapeMismatch("Dot on axes " + axesText(config_.at("axes")) +
                       " needs the same size on both, got " + shapeToString(s0) + " and " +
                       shapeToString(s1));
  Shape out{kNone};
  for (size_t d = 1; d < s0.size(); ++d)
    if (int(d) != a[0]) out.push_back(s0[d]);
  for (size_t d = 1; d < s1.size(); ++d)
    if (int(d) != a[1]) out.push_back(s1[d]);
  if (out.size() == 1) out.push_back(1);  // two rank-2 inputs: (N, 1), as batch_dot
  return out;
}

Dot::Packing Dot::packing(const Shape& s, int axis) {
  Packing p;
  for (int d = 1; d < axis; ++d) p.outer *= s[size_t(d)];
  p.k = s[size_t(axis)];
  for (size_t d = size_t(axis) + 1; d < s.size(); ++d) p.inner *= s[d];
  return p;
}

// x is (N, outer, K, inner) -> packed_[i] (N, rows, K), rows = outer * inner in (outer, inner)
// order; with normalize each row r becomes r / sqrt(max(Σ r², eps)).
void Dot::packInput(int i, const Tensor& x) {
  const Packing& p = pack_[size_t(i)];
  const Index n = x.dim(0), rows = p.rows(), K = p.k;
  Tensor& packed = packed_[i];
  packed.resize({n, rows, K});
  const float* src = x.data();
  float* dst = packed.data();
  for (Index s = 0; s < n; ++s)
    for (Index o = 0; o < p.outer; ++o)
      for (Index k = 0; k < K; ++k)
        for (Index j = 0; j < p.inner; ++j)
          dst[((s * p.outer + o) * p.inner + j) * K + k] =
              src[((s * p.outer + o) * K + k) * p.inner + j];
  if (!normalize_) return;
  invNorm_[i].resize(size_t(n * rows));
  clamped_[i].resize(size_t(n * rows));
  for (Index r = 0; r < n * rows; ++r) {
    float* row = dst + r * K;
    double ss = 0.0;
    for (Index k = 0; k < K; ++k) ss += double(row[k]) * row[k];
    const bool clamped = ss <= double(kNormEpsilon);
    const float inv = 1.0f / std::sqrt(clamped ? kNormEpsilon : float(ss));
    for (Index k = 0; k < K; ++k) row[k] *= inv;
    invNorm_[i][size_t(r)] = inv;
    clamped_[i][size_t(r)] = clamped;
  }
}

// grad_[i] (N, rows, K) holds dL/d(packed rows). With normalize, for x̂ = r / ‖r‖:
// dL/dr = (g - x̂ (g·x̂)) / ‖r‖ (g / sqrt(eps) where the norm was clamped). Then the inverse of
// the packing: dx (N, outer, K, inner).
void Dot::unpackGradient(int i, Tensor& dx) {
  const Packing& p = pack_[size_t(i)];
  const Index n = dx.dim(0), rows = p.rows(), K = p.k;
  float* g = grad_[i].data();
  if (normalize_) {
    const float* xh = packed_[i].data();
    for (Index r = 0; r < n * rows; ++r) {
      float* gr = g + r * K;
      const float* xr = xh + r * K;
      const float inv = invNorm_[i][size_t(r)];
      float proj = 0.0f;
      if (!clamped_[i][size_t(r)])
        for (Index k = 0; k < K; ++k) proj += gr[k] * xr[k];
      for (Index k = 0; k < K; ++k) gr[k] = (gr[k] - xr[k] * proj) * inv;
    }
  }
  float* out = dx.data();
  for (Index s = 0; s < n; ++s)
    for (Index o = 0; o < p.outer; ++o)
      for (Index k = 0; k < K; ++k)
        for (Index j = 0; j < p.inner; ++j)
          out[((s * p.outer + o) * K + k) * p.inner + j] =
              g[((s * p.outer + o) * p.inner + j) * K + k];
}

// x0 (N, ..., K, ...) packed to X (N, P, K), x1 to Z (N, Q, K); y_n = X_n Z_nᵀ (P, Q), y shaped
// as outputShape gives it with the batch N.
void Dot::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  if (x.size() != 2) throw Error("Dot '" + name_ + "': needs exactly 2 inputs");
  const Shape& s0 = x[0]->shape();
  const Shape& s1 = x[1]->shape();
  Shape out = outputShape({withBatch(s0, kNone), withBatch(s1, kNone)});
  if (s0[0] != s1[0])
    throw Error("Dot '" + name_ + "': inputs of shapes " + shapeToString(s0) + " and " +
                shapeToString(s1) + " have different batch sizes");
  const auto a = resolveAxes(s0, s1);
  if (s0[size_t(a[0])] != s1[size_t(a[1])])
    throw Error("Dot '" + name_ + "': inputs of shapes " + shapeToString(s0) + " and " +
                shapeToString(s1) + " differ on the dot axes");
  pack_ = {packing(s0, a[0]), packing(s1, a[1])};
  packInput(0, *x[0]);
  packInput(1, *x[1]);
  out[0] = s0[0];
  y.resize(out);
  const Index n = s0[0], P = pack_[0].rows(), Q = pack_[1].rows(), K = pack_[0].k;
  for (Index s = 0; s < n; ++s)
    RowMajorMap(y.data() + s * P * Q, P, Q).noalias() =
        ConstRowMajorMap(packed_[0].data() + s * P * K, P, K) *
        ConstRowMajorMap(packed_[1].data() + s * Q * K, Q, K).transpose();
}

// dy_n (P, Q): dX_n = dy_n Z_n (P, K), dZ_n = dy_nᵀ X_n (Q, K); then unpacked.
void Dot::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                   const std::vector<Tensor*>& dx, RunContext&) {
  const Index n = x[0]->dim(0), P = pack_[0].rows(), Q = pack_[1].rows(), K = pack_[0].k;
  for (int i = 0; i < 2; ++i) {
    if (size_t(i) >= dx.size() || !dx[size_t(i)]) continue;
    const Index rows = i == 0 ? P : Q;
    grad_[i].resize({n, rows, K});
    for (Index s = 0; s < n; ++s) {
      ConstRowMajorMap G(dy.data() + s * P * Q, P, Q);
      ConstRowMajorMap other(packed_[1 - i].data() + s * (i == 0 ? Q : P) * K, i == 0 ? Q : P, K);
      RowMajorMap out(grad_[i].data() + s * rows * K, rows, K);
      if (i == 0)
        out.noalias() = G * other;
      else
        out.noalias() = G.transpose() * other;
    }
    dx[size_t(i)]->resize(x[size_t(i)]->shape());
    unpackGradient(i, *dx[size_t(i)]);
  }
}

}  // namespace tessel
