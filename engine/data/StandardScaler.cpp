#include "engine/data/StandardScaler.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/core/Error.h"

namespace tessel {

namespace {

// Calls f(const T* data, Index n) with the array's raw values in their own type.
template <class F>
void visitRaw(const Array& x, F&& f) {
  const Index n = x.size();
  switch (x.dtype()) {
    case DType::Float32:
      f(x.dataAs<float>(), n);
      return;
    case DType::Float64:
      f(x.dataAs<double>(), n);
      return;
    case DType::UInt8:
      f(x.dataAs<std::uint8_t>(), n);
      return;
    case DType::Bool:
      f(x.dataAs<std::uint8_t>(), n);
      return;
    case DType::Int8:
      f(x.dataAs<std::int8_t>(), n);
      return;
    case DType::Int16:
      f(x.dataAs<std::int16_t>(), n);
      return;
    case DType::Int32:
      f(x.dataAs<std::int32_t>(), n);
      return;
    case DType::Int64:
      f(x.dataAs<std::int64_t>(), n);
      return;
  }
}

}  // namespace

StandardScaler::StandardScaler(std::vector<double> mean, std::vector<double> scale, bool global,
                               Index samplesSeen)
    : global_(global), mean_(std::move(mean)), scale_(std::move(scale)), samplesSeen_(samplesSeen) {
  if (mean_.size() != scale_.size() || mean_.empty() || (global_ && mean_.size() != 1))
    throw Error("StandardScaler: mean and scale must have the same, non-zero length (1 if global)");
  var_.resize(scale_.size());
  for (size_t i = 0; i < scale_.size(); ++i) {
    if (!(scale_[i] > 0.0) || !std::isfinite(scale_[i]))
      throw Error("StandardScaler: scale must be positive and finite");
    var_[i] = scale_[i] * scale_[i];
  }
}

void StandardScaler::requireFitted(const char* what) const {
  if (!fitted()) throw Error(std::string("StandardScaler::") + what + ": the scaler is not fitted");
}

void StandardScaler::finish(Index n) {
  // sklearn: a feature is constant when its variance is within the error bound of the two-pass
  // algorithm (_is_constant_feature); its scale is then 1.
  const double eps = std::numeric_limits<double>::epsilon();
  const double dn = static_cast<double>(n);
  scale_.resize(var_.size());
  for (size_t j = 0; j < var_.size(); ++j) {
    double bound = dn * eps * var_[j] + (dn * mean_[j] * eps) * (dn * mean_[j] * eps);
    scale_[j] = var_[j] <= bound ? 1.0 : std::sqrt(var_[j]);
  }
  samplesSeen_ = n;
}

void StandardScaler::fitGlobal(const Array& x) {
  const Index n = x.size();
  if (n == 0) throw Error("StandardScaler::fitGlobal: the array is empty");
  double meanRaw = 0.0, varRaw = 0.0;
  if (x.dtype() == DType::UInt8 || x.dtype() == DType::Bool) {
    // Exact and fast for images: a histogram of the 256 byte values.
    std::array<std::int64_t, 256> count{};
    const std::uint8_t* p = x.bytes();
    for (Index i = 0; i < n; ++i) ++count[p[i]];
    double sum = 0.0;
    for (int k = 0; k < 256; ++k) sum += static_cast<double>(count[k]) * k;
    meanRaw = sum / static_cast<double>(n);
    double ss = 0.0;
    for (int k = 0; k < 256; ++k)
      ss += static_cast<double>(count[k]) * (k - meanRaw) * (k - meanRaw);
    varRaw = ss / static_cast<double>(n);
  } else {
    visitRaw(x, [&](const auto* p, Index m) {
      double sum = 0.0;
      for (Index i = 0; i < m; ++i) sum += static_cast<double>(p[i]);
      meanRaw = sum / static_cast<double>(m);
      double ss = 0.0, corr = 0.0;
      for (Index i = 0; i < m; ++i) {
        double d = static_cast<double>(p[i]) - meanRaw;
        ss += d * d;
        corr += d;
      }
      // Two-pass with the rounding correction, as sklearn's _incremental_mean_and_var.
      varRaw = (ss - corr * corr / static_cast<double>(m)) / static_cast<double>(m);
    });
  }
  const double a = x.scale, b = x.offset;
  global_ = true;
  mean_ = {a * meanRaw + b};
  var_ = {a * a * varRaw};
  finish(n);
}

void StandardScaler::fitPerFeature(const Array& x) {
  if (x.rank() == 0) throw Error("StandardScaler::fitPerFeature: a 0-d array has no features");
  // A 1-d array is one feature (a column), as reshape(-1, 1).
  const Index f = x.rank() == 1 ? 1 : x.shape().back();
  if (f == 0 || x.size() == 0) throw Error("StandardScaler::fitPerFeature: the array is empty");
  const Index m = x.size() / f;
  std::vector<double> sum(static_cast<size_t>(f), 0.0), ss(static_cast<size_t>(f), 0.0),
      corr(static_cast<size_t>(f), 0.0), meanRaw(static_cast<size_t>(f));
  visitRaw(x, [&](const auto* p, Index) {
    for (Index r = 0; r < m; ++r)
      for (Index j = 0; j < f; ++j) sum[j] += static_cast<double>(p[r * f + j]);
    for (Index j = 0; j < f; ++j) meanRaw[j] = sum[j] / static_cast<double>(m);
    for (Index r = 0; r < m; ++r)
      for (Index j = 0; j < f; ++j) {
        double d = static_cast<double>(p[r * f + j]) - meanRaw[j];
        ss[j] += d * d;
        corr[j] += d;
      }
  });
  const double a = x.scale, b = x.offset;
  global_ = false;
  mean_.resize(static_cast<size_t>(f));
  var_.resize(static_cast<size_t>(f));
  for (Index j = 0; j < f; ++j) {
    mean_[j] = a * meanRaw[j] + b;
    var_[j] = a * a * (ss[j] - corr[j] * corr[j] / static_cast<double>(m)) / static_cast<double>(m);
  }
  finish(m);
}

Array StandardScaler::transform(const Array& x) const {
  requireFitted("transform");
  if (global_) {
    // z = (raw * a + b - mean) / s  ->  raw * (a / s) + (b - mean) / s
    Array out = x;
    const double s = scale_[0];
    out.scale = static_cast<float>(static_cast<double>(x.scale) / s);
    out.offset = static_cast<float>((static_cast<double>(x.offset) - mean_[0]) / s);
    return out;
  }
  const Index f = features();
  const Index lastDim = x.rank() == 1 ? 1 : (x.rank() == 0 ? 0 : x.shape().back());
  if (lastDim != f)
    throw Error("StandardScaler::transform: the scaler was fitted on " + std::to_string(f) +
                " features, the array " + shapeToString(x.shape()) + " has " +
                std::to_string(lastDim));
  Array out(DType::Float32, x.shape());
  float* dst = out.dataAs<float>();
  const double a = x.scale, b = x.offset;
  visitRaw(x, [&](const auto* p, Index n) {
    for (Index i = 0; i < n; ++i) {
      Index j = i % f;
      dst[i] = static_cast<float>((a * static_cast<double>(p[i]) + b - mean_[j]) / scale_[j]);
    }
  });
  return out;
}

void StandardScaler::transformInPlace(Tensor& t) const {
  requireFitted("transformInPlace");
  const Index f = features();
  if (!global_ && (t.rank() == 0 || t.dim(-1) != f))
    throw Error("StandardScaler::transformInPlace: the scaler was fitted on " + std::to_string(f) +
                " features, the tensor " + shapeToString(t.shape()) + " has a different last axis");
  float* p = t.data();
  for (Index i = 0; i < t.size(); ++i) {
    Index j = global_ ? 0 : i % f;
    p[i] = static_cast<float>((static_cast<double>(p[i]) - mean_[j]) / scale_[j]);
  }
}

void StandardScaler::inverseTransformInPlace(Tensor& t) const {
  requireFitted("inverseTransformInPlace");
  const Index f = features();
  if (!global_ && (t.rank() == 0 || t.dim(-1) != f))
    throw Error("StandardScaler::inverseTransformInPlace: the scaler was fitted on " +
                std::to_string(f) + " features, the tensor " + shapeToString(t.shape()) +
                " has a different last axis");
  float* p = t.data();
  for (Index i = 0; i < t.size(); ++i) {
    Index j = global_ ? 0 : i % f;
    p[i] = static_cast<float>(static_cast<double>(p[i]) * scale_[j] + mean_[j]);
  }
}

}  // namespace tessel
