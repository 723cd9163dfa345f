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

// s (rows x cols, contiguous) becomes softmax(s) along each row, masked as Keras 2 (tf.keras
// 2.12-2.15; Keras 3 the same arithmetic) masks attention scores: entry (i, j) is hidden when
//   `causal` and j > i, or colMask[j] == 0 (the value / key padding mask, cols entries), or
//   rowMask[i] == 0 (the query padding mask, rows entries; MultiHeadAttention only),
// and Keras adds -1e9 to a hidden score before the softmax (BaseDenseAttention._apply_scores:
// `scores -= 1e9 * padding_mask`; MultiHeadAttention's Softmax(mask): `+= (1 - mask) * -1e9`).
// In float32 that gives a hidden entry exactly 0 when its row has a visible one; a row with none
// visible (a padded query step in MultiHeadAttention, an all-padding value) is the softmax of the
// float32 values s - 1e9 over the whole row (nearly uniform), computed here the same way.
// The gradient is softmaxRowsBackward of the result, as TF differentiates it.
void maskedSoftmaxRows(float* s, Index rows, Index cols, bool causal,
                       const float* colMask = nullptr, const float* rowMask = nullptr);

// dS = P ⊙ (dP − rowsum(dP ⊙ P)) for P = softmax(S); all (rows x cols), contiguous. dp may alias
// ds.
void softmaxRowsBackward(const float* p, const float* dp, float* ds, Index rows, Index cols);

// Inverted dropout on attention weights: mul[i] = (u >= rate) / (1 - rate), u uniform [0, 1).
void drawDropoutMask(Tensor& mul, const Shape& shape, double rate, Rng& rng);

// The mask of input `port` for a batch of n samples of t steps each (size n * t), or nullptr when
// that input carries none. Throws Error naming the layer when the mask does not fit.
const float* inputMaskOf(const RunContext& ctx, size_t port, Index n, Index t, const Layer& layer);

// "config 'use_causal_mask'" or Keras 2's deprecated constructor argument 'causal' (Attention).
bool causalFromConfig(const json& config);

}  // namespace tessel::attention
