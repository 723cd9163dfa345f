#include "engine/layers/AttentionCore.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/Error.h"

namespace tessel::attention {

void maskedSoftmaxRows(float* s, Index rows, Index cols, bool causal, const float* colMask,
                       const float* rowMask) {
  for (Index i = 0; i < rows; ++i) {
    float* r = s + i * cols;
    const bool rowVisible = !rowMask || rowMask[i] != 0.0f;
    const Index n = causal ? std::min(cols, i + 1) : cols;  // visible keys: j <= i when causal
    Index visible = 0;
    if (rowVisible) {
      if (!colMask) {
        visible = n;
      } else {
        for (Index j = 0; j < n; ++j) visible += colMask[j] != 0.0f;
      }
    }
    if (visible == 0) {  // Keras: every score - 1e9 (float32), then the plain softmax
      for (Index j = 0; j < cols; ++j) r[j] = r[j] - 1e9f;
      float m = r[0];
      for (Index j = 1; j < cols; ++j) m = std::max(m, r[j]);
      float sum = 0.0f;
      for (Index j = 0; j < cols; ++j) {
        r[j] = std::exp(r[j] - m);
        sum += r[j];
      }
      const float inv = 1.0f / sum;
      for (Index j = 0; j < cols; ++j) r[j] *= inv;
      continue;
    }
    auto shown = [&](Index j) { return j < n && (!colMask || colMask[j] != 0.0f); };
    float m = -std::numeric_limits<float>::infinity();
    for (Index j = 0; j < n; ++j)
      if (shown(j)) m = std::max(m, r[j]);
    float sum = 0.0f;
    for (Index j = 0; j < cols; ++j) {
      r[j] = shown(j) ? std::exp(r[j] - m) : 0.0f;
      sum += r[j];
    }
    const float inv = 1.0f / sum;
    for (Index j = 0; j < n; ++j) r[j] *= inv;
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

const float* inputMaskOf(const RunContext& ctx, size_t port, Index n, Index t, const Layer& layer) {
  const Tensor* m = ctx.inputMask(port);
  if (!m) return nullptr;
  if (m->size() != n * t)
    throw Error(layer.className() + " '" + layer.name() + "': the mask of input " +
                std::to_string(port) + " has shape " + shapeToString(m->shape()) + ", expected " +
                std::to_string(n) + " x " + std::to_string(t) + " steps");
  return m->data();
}

bool causalFromConfig(const json& config) {
  for (const char* key : {"use_causal_mask", "causal"}) {
    auto it = config.find(key);
    if (it != config.end() && it->is_boolean() && it->get<bool>()) return true;
  }
  return false;
}

}  // namespace tessel::attention
