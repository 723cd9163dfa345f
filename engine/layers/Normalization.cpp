#include "engine/layers/Normalization.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

namespace {

constexpr float kEpsilon = 1e-7f;  // keras.backend.epsilon()

// A number or a (nested) list of numbers, flattened; throws Error otherwise.
void flatten(const json& v, std::vector<float>& out, const char* key) {
  if (v.is_number()) {
    out.push_back(v.get<float>());
  } else if (v.is_array()) {
    for (const auto& e : v) flatten(e, out, key);
  } else {
    throw Error(std::string("config '") + key + "' must be a number or a list of numbers");
  }
}

std::string axesString(const std::vector<int>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

}  // namespace

Normalization::Normalization(const json& config) : Layer("Normalization", config) {
  const json& axis = config_.at("axis");
  if (axis.is_number_integer()) {
    axes_.push_back(axis.get<int>());
  } else if (axis.is_array()) {
    for (const auto& a : axis) {
      if (!a.is_number_integer())
        throwBadValue("config 'axis' = " + axis.dump() + ": expected integers");
      axes_.push_back(a.get<int>());
    }
  } else if (!axis.is_null()) {
    throwBadValue("config 'axis' = " + axis.dump() + ": expected an integer, a list or null");
  }
  invert_ = config_.at("invert").get<bool>();
  const json& mean = config_.at("mean");
  const json& variance = config_.at("variance");
  if (mean.is_null() != variance.is_null())
    throwBadValue(
        "When setting values directly, both `mean` and `variance` must be set. "
        "Received: mean=" +
        mean.dump() + " and variance=" + variance.dump());
  fromConfig_ = !mean.is_null();
  if (fromConfig_) {
    try {
      flatten(mean, configMean_, "mean");
      flatten(variance, configVariance_, "variance");
    } catch (const Error& e) {
      throwBadValue(e.what());
    }
    for (float v : configVariance_)
      if (!(v >= 0.0f)) throwBadValue("config 'variance' must not be negative");
  }
}

Normalization::Plan Normalization::plan(const Shape& input) const {
  const Index ndim = Index(input.size());
  Plan p;
  for (int a : axes_) {
    if (a < -ndim || a >= ndim)
      throwShapeMismatch(
          "All `axis` values must be in the range [-ndim, ndim). Received inputs "
          "with ndim=" +
          std::to_string(ndim) + ", while axis=" + axesString(axes_));
    p.keptAxes.push_back(a < 0 ? a + ndim : a);
  }
  std::sort(p.keptAxes.begin(), p.keptAxes.end());
  p.keptAxes.erase(std::unique(p.keptAxes.begin(), p.keptAxes.end()), p.keptAxes.end());
  for (Index d : p.keptAxes) {
    if (input[size_t(d)] == kNone)
      throwShapeMismatch("All `axis` values to be kept must have a known shape. Received axis=" +
                         axesString(axes_) + ", inputs.shape=" + shapeToString(input) +
                         ", with unknown axis at index " + std::to_string(d));
    p.keptShape.push_back(input[size_t(d)]);
    p.kept *= input[size_t(d)];
  }
  for (size_t d = 1; d < input.size(); ++d)
    if (input[d] == kNone)
      throwShapeMismatch("Normalization needs known dimensions after the batch axis, got " +
                         shapeToString(input));
  if (fromConfig_) {
    for (const auto* v : {&configMean_, &configVariance_})
      if (Index(v->size()) != 1 && Index(v->size()) != p.kept)
        throwBadValue(std::string(v == &configMean_ ? "mean" : "variance") + " has " +
                      std::to_string(v->size()) + " values; expected 1 or " +
                      std::to_string(p.kept) + " (the shape of the kept axes " +
                      shapeToString(p.keptShape) + ")");
  }
  // Index of every element of one sample (dims 1..) into the kept shape, row-major.
  Index sample = 1;
  for (size_t d = 1; d < input.size(); ++d) sample *= input[d];
  p.keptIndex.assign(size_t(sample), 0);
  for (Index j = 0; j < sample; ++j) {
    Index rest = j, k = 0, mul = 1;
    for (Index d = ndim - 1; d >= 1; --d) {
      const Index coord = rest % input[size_t(d)];
      rest /= input[size_t(d)];
      if (std::binary_search(p.keptAxes.begin(), p.keptAxes.end(), d)) {
        k += coord * mul;
        mul *= input[size_t(d)];
      }
    }
    p.keptIndex[size_t(j)] = k;
  }
  return p;
}

Shape Normalization::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  plan(inputs[0]);
  return inputs[0];
}

void Normalization::build(const std::vector<Shape>& inputs, Rng&) {
  checkInputCount(inputs, 1, 1);
  builtShape_ = inputs[0];
  plan_ = plan(builtShape_);
  vars_.clear();
  if (!fromConfig_) {
    addVariable("mean", plan_.keptShape, false).value.setZero();
    addVariable("variance", plan_.keptShape, false).value.fill(1.0f);
    addVariable("count", Shape{}, false).value.setZero();
  }
  built_ = true;
  refreshDenominators();
}

void Normalization::refreshDenominators() {
  const Index k = plan_.kept;
  mean_.resize(size_t(k));
  denom_.resize(size_t(k));
  for (Index i = 0; i < k; ++i) {
    float m, v;
    if (fromConfig_) {
      m = configMean_.size() == 1 ? configMean_[0] : configMean_[size_t(i)];
      v = configVariance_.size() == 1 ? configVariance_[0] : configVariance_[size_t(i)];
    } else {
      m = vars_[0].value[i];
      v = vars_[1].value[i];
    }
    mean_[size_t(i)] = m;
    denom_[size_t(i)] = std::max(std::sqrt(v), kEpsilon);
  }
}

void Normalization::sampleStats(std::vector<float>& mean, std::vector<float>& denom) {
  refreshDenominators();
  const Index s = Index(plan_.keptIndex.size());
  mean.resize(size_t(s));
  denom.resize(size_t(s));
  for (Index j = 0; j < s; ++j) {
    const size_t k = size_t(plan_.keptIndex[size_t(j)]);
    mean[size_t(j)] = mean_[k];
    denom[size_t(j)] = denom_[k];
  }
}

void Normalization::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  if (!built_ || Index(plan_.keptIndex.size()) * std::max<Index>(X.dim(0), 1) != X.size()) {
    Shape s = X.shape();
    s[0] = kNone;
    builtShape_ = s;
    plan_ = plan(s);
  }
  // Weights may have been set or loaded since the last call: read them every time (kept-size).
  refreshDenominators();
  y.resize(X.shape());
  const Index s = Index(plan_.keptIndex.size());
  const Index n = s ? X.size() / s : 0;
  const Index* kidx = plan_.keptIndex.data();
  for (Index b = 0; b < n; ++b) {
    const float* xi = X.data() + b * s;
    float* yi = y.data() + b * s;
    if (invert_) {
      for (Index j = 0; j < s; ++j)
        yi[j] = mean_[size_t(kidx[j])] + xi[j] * denom_[size_t(kidx[j])];
    } else {
      for (Index j = 0; j < s; ++j)
        yi[j] = (xi[j] - mean_[size_t(kidx[j])]) / denom_[size_t(kidx[j])];
    }
  }
}

void Normalization::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                             const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  Tensor& dX = *dx[0];
  dX.resize(x[0]->shape());
  const Index s = Index(plan_.keptIndex.size());
  const Index n = s ? dy.size() / s : 0;
  const Index* kidx = plan_.keptIndex.data();
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < s; ++j) {
      const float d = denom_[size_t(kidx[j])];
      dX[b * s + j] = invert_ ? dy[b * s + j] * d : dy[b * s + j] / d;
    }
}

bool Normalization::adapted() const {
  if (fromConfig_) return true;
  return adapted_ || (vars_.size() == 3 && vars_[2].value[0] > 0.0f);
}

void Normalization::resetState() {
  if (!built_) throw Error("layer '" + name_ + "': Normalization must be built before adapt()");
  if (fromConfig_)
    throw Error("layer '" + name_ +
                "': adapt() needs a Normalization without mean and variance in its config");
  count_ = 0;
  accMean_.assign(size_t(plan_.kept), 0.0);
  accVar_.assign(size_t(plan_.kept), 1.0);
}

// Keras 2 update_state: batch moments over the reduced axes (population variance), combined
// with the running ones by their counts.
void Normalization::updateState(const Tensor& batch) {
  if (accMean_.size() != size_t(plan_.kept)) resetState();
  // Rows of the same size as the built shape's samples are read in its row-major layout (a
  // (N, 28, 28) array adapts a layer built for (None, 28, 28, 1)).
  if (batch.rank() < 1 || batch.size() != batch.dim(0) * Index(plan_.keptIndex.size()))
    throw Error("layer '" + name_ +
                "': the layer was built with input_shape=" + shapeToString(builtShape_) +
                ", but adapt() is being called with data of shape " + shapeToString(batch.shape()));
  const Index k = plan_.kept, sample = Index(plan_.keptIndex.size());
  const Index n = batch.dim(0);
  if (n == 0) return;
  const Index* kidx = plan_.keptIndex.data();
  const double batchCount = double(n * sample / k);
  bMean_.assign(size_t(k), 0.0);
  bVar_.assign(size_t(k), 0.0);
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < sample; ++j) bMean_[size_t(kidx[j])] += batch[b * sample + j];
  for (auto& m : bMean_) m /= batchCount;
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < sample; ++j) {
      const double d = batch[b * sample + j] - bMean_[size_t(kidx[j])];
      bVar_[size_t(kidx[j])] += d * d;
    }
  for (auto& v : bVar_) v /= batchCount;
  const double total = count_ + batchCount;
  const double bw = batchCount / total, ew = 1.0 - bw;
  for (Index i = 0; i < k; ++i) {
    const double m0 = accMean_[size_t(i)], m1 = bMean_[size_t(i)];
    const double m = m0 * ew + m1 * bw;
    accVar_[size_t(i)] = (accVar_[size_t(i)] + (m0 - m) * (m0 - m)) * ew +
                         (bVar_[size_t(i)] + (m1 - m) * (m1 - m)) * bw;
    accMean_[size_t(i)] = m;
  }
  count_ = total;
}

void Normalization::finalizeState() {
  if (accMean_.size() != size_t(plan_.kept) || count_ == 0)
    throw Error("layer '" + name_ + "': adapt() got no data");
  for (Index i = 0; i < plan_.kept; ++i) {
    vars_[0].value[i] = float(accMean_[size_t(i)]);
    vars_[1].value[i] = float(accVar_[size_t(i)]);
  }
  vars_[2].value[0] = float(count_);
  adapted_ = true;
  refreshDenominators();
}

}  // namespace tessel
