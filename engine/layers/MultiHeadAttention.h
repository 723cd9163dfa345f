#pragma once
// keras.layers.MultiHeadAttention (Keras 2.12+ semantics; Keras 3 the same numerics). Inputs
// [query, value] or [query, value, key] (key = value when absent):
//   query (N, Tq, dq), value (N, Tv, dv), key (N, Tv, dk); rank > 3 inputs attend over all axes
//   between batch and features (attention_axes null), flattened to one sequence axis.
//   Q = query · Wq + bq  (N, Tq, H, K)   Wq "query/kernel" (dq, H, K), bq "query/bias" (H, K)
//   Kp = key · Wk + bk   (N, Tv, H, K)   "key/kernel" (dk, H, K), "key/bias" (H, K)
//   Vp = value · Wv + bv (N, Tv, H, Vd)  "value/kernel" (dv, H, Vd), "value/bias" (H, Vd)
//   S[n, h] = (Q[n, :, h] / sqrt(K)) · Kp[n, :, h]ᵀ  (Tq, Tv); P = softmax over Tv (causal mask
//   j <= i with use_causal_mask); dropout on P in training;
//   O[n, :, h] = P' Vp[n, :, h]  (N, Tq, H, Vd);
//   y = O · Wo + bo      (N, Tq, out)    "attention_output/kernel" (H, Vd, out), ".../bias" (out)
// out = output_shape or dq. Weight names and order as Keras 2 writes them (query, key, value,
// attention_output; kernel then bias). Keras's call arguments use_causal_mask and
// return_attention_scores are config keys here; return_attention_scores makes a second output,
// the softmax weights P (N, H, Tq..., Tv...) before dropout, as Keras returns them (a gradient
// into them flows back through the softmax). The last weights are also kept for previews.
// Masks (Keras 2 _compute_attention_mask, tf.keras 2.12-2.15; Keras 3 the same): the Keras masks
// of query (N, Tq), value (N, Tv) and key (N, Tv) and the causal mask are ANDed into one
// (N, Tq, Tv) attention mask; masked scores get -1e9 before the softmax (AttentionCore.h), so a
// padded query step's row is (nearly) uniform, as Keras computes it. The output carries the
// query's mask (Keras: the first input's mask passes on); the scores output carries none.
#include <optional>

#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

class MultiHeadAttention : public Layer {
 public:
  explicit MultiHeadAttention(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  std::vector<std::string> outputNames() const override;
  std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

  // The softmax attention weights of the last forward, (N, heads, Tq, Tv), before dropout.
  const Tensor& lastAttentionScores() const { return probs_; }
  Index numHeads() const { return heads_; }
  Index keyDim() const { return keyDim_; }
  Index valueDim() const { return valueDim_; }
  bool supportsMasking() const override { return true; }

 private:
  struct Dims {
    Index n, tq, tv, dq, dk, dv;
  };
  Dims dims(const std::vector<const Tensor*>& x) const;
  // y = x (rows, in) · W (in, cols) + b into out (rows, cols).
  void project(const float* x, Index rows, Index in, int var, Index cols, Tensor& out) const;
  // dW = xᵀ dOut, db = column sums, dx = dOut Wᵀ (dx may be null).
  void projectBackward(const float* x, Index rows, Index in, int var, Index cols,
                       const Tensor& dout, float* dx);

  Index heads_ = 1, keyDim_ = 1, valueDim_ = 1, outDim_ = -1;  // outDim_ -1: query's last dim
  double dropout_ = 0.0;
  bool useBias_ = true, causal_ = false, returnScores_ = false;
  Initializer kernelInit_, biasInit_;
  Regularizer kernelReg_, biasReg_, activityReg_;
  Index builtDq_ = -1, builtDk_ = -1, builtDv_ = -1;
  // Variable indices: query kernel/bias, key, value, output (bias -1 without use_bias).
  int qk_ = -1, qb_ = -1, kk_ = -1, kb_ = -1, vk_ = -1, vb_ = -1, ok_ = -1, ob_ = -1;
  Tensor q_, k_, v_;  // projections (N*T, H*K) / (N*T, H*Vd)
  Tensor probs_;      // (N, H, Tq, Tv)
  Tensor dropMul_;    // (N, H, Tq, Tv)
  Tensor colMask_;    // (N, Tv) value mask AND key mask, when both are given
  bool dropped_ = false;
  Tensor o_;        // (N*Tq, H*Vd) attention output before the output projection
  Tensor pd_, ds_;  // (Tq, Tv) scratch
  Tensor dq_, dk_, dv_, do_, dyAct_, dkx_;  // backward buffers
  std::optional<Rng> ownRng_;
  Rng fallbackRng_;
};

}  // namespace tessel
