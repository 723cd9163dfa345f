#include "engine/layers/ReLU.h"

#include "engine/core/Error.h"

namespace tessel {

namespace {

float number(const json& config, const char* key, float fallback) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? fallback : it->get<float>();
}

}  // namespace

ReLU::ReLU(const json& config) : Layer("ReLU", config) {
  auto it = config_.find("max_value");
  if (it != config_.end() && !it->is_null()) max_ = it->get<float>();
  slope_ = number(config_, "negative_slope", 0.0f);
  threshold_ = number(config_, "threshold", 0.0f);
  // Keras raises for these too (ReLU.__init__).
  if (max_ && *max_ < 0) throwBadValue("max_value of a ReLU layer cannot be negative");
  if (slope_ < 0) throwBadValue("negative_slope of a ReLU layer cannot be negative");
}

Shape ReLU::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  return inputs[0];
}

// x is (N, ...); y = clip as in the header, elementwise.
void ReLU::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  const Tensor& x = *xs[0];
  y.resize(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  const Index n = x.size();
  const float t = threshold_, a = slope_;
  const bool capped = max_.has_value();
  const float m = capped ? *max_ : 0.0f;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (Index i = 0; i < n; ++i) {
    const float v = xp[i];
    float out = v >= t ? v : a * (v - t);
    if (capped && v >= m) out = m;
    yp[i] = out;
  }
}

// dx = dy * (1 on [t, m), a below t, 0 from m on)
void ReLU::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                    const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& x = *xs[0];
  dx[0]->resize(x.shape());
  const float* xp = x.data();
  const float* g = dy.data();
  float* out = dx[0]->data();
  const Index n = x.size();
  const float t = threshold_, a = slope_;
  const bool capped = max_.has_value();
  const float m = capped ? *max_ : 0.0f;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (Index i = 0; i < n; ++i) {
    const float v = xp[i];
    float d = v >= t ? 1.0f : a;
    if (capped && v >= m) d = 0.0f;
    out[i] = g[i] * d;
  }
}

}  // namespace tessel
