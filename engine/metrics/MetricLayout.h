#pragma once
// Internal helper for the metric implementations: an output (N, d1, ..., dk) as N samples of
// `positions` rows of `last` values, and label-shape checks with clear messages.
#include <string>

#include "engine/core/Error.h"
#include "engine/losses/LossLayout.h"
#include "engine/tensor/Tensor.h"

namespace tessel::metricdetail {

// The same split as the losses' (LossLayout.h).
using lossdetail::Layout;
using lossdetail::layoutOf;

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

// out[i] = the fraction of sample i's positions k for which hit(off, p) is true, where off =
// i * perSample + k * last is the offset of the position's `last` values in yPred (and in one-hot
// labels) and p = i * positions + k the index of its sparse label.
template <class Hit>
void positionHitRate(const Layout& l, float* out, Hit hit) {
  for (Index i = 0; i < l.n; ++i) {
    Index hits = 0;
    for (Index k = 0; k < l.positions; ++k)
      hits += hit(i * l.perSample + k * l.last, i * l.positions + k);
    out[i] = float(double(hits) / double(l.positions));
  }
}

}  // namespace tessel::metricdetail
