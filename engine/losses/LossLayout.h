#pragma once
// Internal helper for the loss implementations: how a (N, d1, ..., dk) output splits into
// samples, positions (d1..dk-1) and the reduced last axis (dk); the crossentropies' config.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/Error.h"
#include "engine/tensor/Tensor.h"

namespace tessel::lossdetail {

struct Layout {
  Index n = 0;          // samples
  Index perSample = 0;  // values per sample (d1 * ... * dk)
  Index last = 1;       // dk (1 for a rank-1 output)
  Index positions = 0;  // perSample / last
};

inline Layout layoutOf(const Tensor& yPred) {
  Layout l;
  l.n = yPred.rank() >= 1 ? yPred.dim(0) : 1;
  l.perSample = l.n > 0 ? yPred.size() / l.n : 0;
  l.last = yPred.rank() >= 2 ? yPred.dim(-1) : 1;
  l.positions = l.last > 0 ? l.perSample / l.last : 0;
  return l;
}

// Labels with as many values as the prediction (dense losses).
// Takes the loss itself so its name (a std::string) is only built on error: no allocation on
// the training hot path.
template <class L>
inline Layout denseLayout(const L& loss, const Tensor& yTrue, const Tensor& yPred) {
  if (yTrue.size() != yPred.size())
    throw Error("loss '" + loss.name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not match the output shape " + shapeToString(yPred.shape()));
  return layoutOf(yPred);
}

inline float clampf(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

// The config of BinaryCrossentropy and CategoricalCrossentropy: Loss::config() (`base`) with
// from_logits, label_smoothing and axis (always -1), as Keras writes it.
inline nlohmann::json crossentropyConfig(nlohmann::json base, bool fromLogits,
                                         double labelSmoothing) {
  base["from_logits"] = fromLogits;
  base["label_smoothing"] = labelSmoothing;
  base["axis"] = -1;
  return base;
}

// Keras backend epsilon().
inline constexpr float kEpsilon = 1e-7f;

}  // namespace tessel::lossdetail
