#pragma once
// Internal helper for the metric implementations: an output (N, d1, ..., dk) as N samples of
// `positions` rows of `last` values, and label-shape checks with clear messages.
#include <string>

#include "engine/core/Error.h"
#include "engine/tensor/Tensor.h"

namespace tessel::metricdetail {

struct Layout {
  Index n = 0, perSample = 0, last = 1, positions = 0;
};

inline Layout layoutOf(const Tensor& yPred) {
  Layout l;
  l.n = yPred.rank() >= 1 ? yPred.dim(0) : 1;
  l.perSample = l.n > 0 ? yPred.size() / l.n : 0;
  l.last = yPred.rank() >= 2 ? yPred.dim(-1) : 1;
  l.positions = l.last > 0 ? l.perSample / l.last : 0;
  return l;
}

inline void checkSize(const std::string& metric, const Tensor& yTrue, const Tensor& yPred,
                      Index expected) {
  if (yTrue.size() != expected)
    throw Error("metric '" + metric + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not fit the output shape " + shapeToString(yPred.shape()));
}

// Index of the largest of x[0..c) (first one on ties, as tf.argmax).
inline Index argmax(const float* x, Index c) {
  Index b = 0;
  for (Index j = 1; j < c; ++j)
    if (x[j] > x[b]) b = j;
  return b;
}

// tf.math.in_top_k: the target is in the top k when fewer than k values are strictly larger
// (ties at the boundary count as inside).
inline bool inTopK(const float* x, Index c, Index target, Index k) {
  if (target < 0 || target >= c) return false;
  Index larger = 0;
  for (Index j = 0; j < c; ++j) larger += x[j] > x[target];
  return larger < k;
}

}  // namespace tessel::metricdetail
