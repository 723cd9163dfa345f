#pragma once
// The parts the attention layers (Attention, AdditiveAttention, MultiHeadAttention) share: the
// row softmax of a score matrix with Keras's causal mask, its backward, and the dropout mask on
// the attention weights. Matrices are row-major with a leading dimension (`ld`, the distance
// between rows), so a head's slice of a (B, T, heads, dim) buffer is used in place.
#include <Eigen/Core>

#include "engine/layers/Layer.h"

namespace tessel::attention {

// A row-major matrix view with a row stride (heads interleaved in one buffer).
using StridedMap = Eigen::Map<MatrixRM, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const MatrixRM, Eigen::Unaligned, Eigen::OuterStride<>>;

// s (rows x cols, contiguous) becomes softmax(s) along each row. With `causal`, entries j > i get
// probability 0 (Keras adds -1e9 to them before the softmax, which gives exactly 0 in float32).
void maskedSoftmaxRows(float* s, Index rows, Index cols, bool causal);

// dS = P ⊙ (dP − rowsum(dP ⊙ P)) for P = softmax(S); all (rows x cols), contiguous. dp may alias
// ds.
void softmaxRowsBackward(const float* p, const float* dp, float* ds, Index rows, Index cols);

// Inverted dropout on attention weights: mul[i] = (u >= rate) / (1 - rate), u uniform [0, 1).
void drawDropoutMask(Tensor& mul, const Shape& shape, double rate, Rng& rng);

// "config 'use_causal_mask'" or Keras 2's deprecated constructor argument 'causal' (Attention).
bool causalFromConfig(const json& config);

}  // namespace tessel::attention
