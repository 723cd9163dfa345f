#include "engine/layers/AttentionCore.h"

#include <algorithm>
#include <cmath>

namespace tessel::attention {

void maskedSoftmaxRows(float* s, Index rows, Index cols, bool causal) {
  for (Index i = 0; i < rows; ++i) {
    float* r = s + i * cols;
    const Index n = causal ? std::min(cols, i + 1) : cols;  // visible keys: j <= i when causal
    float m = r[0];
    for (Index j = 1; j < n; ++j) m = std::max(m, r[j]);
    float sum = 0.0f;
    for (Index j = 0; j < n; ++j) {
      r[j] = std::exp(r[j] - m);
      sum += r[j];
    }
    const float inv = 1.0f / sum;
    for (Index j = 0; j < n; ++j) r[j] *= inv;
    for (Index j = n; j < cols; ++j) r[j] = 0.0f;
  }
}

void softmaxRowsBackward(const float* p, const float* dp, float* ds, Index rows, Index cols) {
  for (Index i = 0; i < rows; ++i) {
    const float* pr = p + i * cols;
    const float* dr = dp + i * cols;
    float dot = 0.0f;
    for (Index j = 0; j < cols; ++j) dot += pr[j] * dr[j];
    float* out = ds + i * cols;
    for (Index j = 0; j < cols; ++j) out[j] = pr[j] * (dr[j] - dot);
  }
}

void drawDropoutMask(Tensor& mul, const Shape& shape, double rate, Rng& rng) {
  mul.resize(shape);
  const float keep = float(1.0 / (1.0 - rate));
  for (Index i = 0; i < mul.size(); ++i) mul[i] = rng.uniform() >= float(rate) ? keep : 0.0f;
}

bool causalFromConfig(const json& config) {
  for (const char* key : {"use_causal_mask", "causal"}) {
    auto it = config.find(key);
    if (it != config.end() && it->is_boolean() && it->get<bool>()) return true;
  }
  return false;
}

}  // namespace tessel::attention
