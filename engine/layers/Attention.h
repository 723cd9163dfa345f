#pragma once
// keras.layers.Attention (Luong-style, Keras 2.12 / 2.15 semantics) and the base of
// AdditiveAttention (Bahdanau-style). Inputs [query, value] or [query, value, key] (key = value
// when absent):
//   query (N, Tq, d), value (N, Tv, dv), key (N, Tv, d)  ->  y (N, Tq, dv)
//   scores S (N, Tq, Tv):
//     Attention, score_mode "dot":    S = s · Q Kᵀ                       (s = scale, use_scale)
//     Attention, score_mode "concat": S_ij = c · Σ_d tanh(s · (q_id + k_jd))  (c =
//                                     concat_score_weight, a scalar variable initialized to 1)
//     AdditiveAttention:              S_ij = Σ_d w_d · tanh(q_id + k_jd)  (w = scale vector (d),
//                                     glorot_uniform, when use_scale; else 1)
//   P = softmax(S) over Tv, with use_causal_mask entries j > i masked (Keras: -1e9 added);
//   in training with dropout > 0, P' = P ⊙ keep / (1 - dropout); y = P' V.
// Keras's call argument use_causal_mask is a config key here (the graph has no call arguments);
// Keras 2's deprecated constructor argument `causal` is read as the same. return_attention_scores
// (a call argument too) makes a second output, the softmax weights P (N, Tq, Tv) before dropout,
// as Keras returns them; a gradient into them flows back through the softmax. The last forward's
// weights also stay readable through lastAttentionScores() for previews.
// Masks (Keras 2 BaseDenseAttention, tf.keras 2.12-2.15; Keras 3 does the same): the layer takes
// the masks [query_mask, value_mask] of its inputs (a key's own mask is ignored, as Keras's
// call(mask=[q, v]) has no key mask). Padded value steps get -1e9 added to their scores before
// the softmax (weight 0; AttentionCore.h), merged with the causal mask; the output rows of padded
// query steps are multiplied by 0 (the weights output keeps them, as Keras returns it). The
// output carries the query's mask (compute_mask returns mask[0]); the weights output none.
#include <optional>

#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Attention : public Layer {
 public:
  explicit Attention(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  std::vector<std::string> outputNames() const override;
  std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  // The softmax attention weights of the last forward, (N, Tq, Tv), before dropout.
  const Tensor& lastAttentionScores() const { return probs_; }
  bool causal() const { return causal_; }
  bool supportsMasking() const override { return true; }

 protected:
  enum class Score { Dot, Concat, Additive };
  Attention(std::string className, const json& config, Score score);

 private:
  void readConfig();
  // S (Tq x Tv) for batch b from q (Tq x d) and k (Tv x d).
  void scores(const float* q, const float* k, Index tq, Index tv, Index d, float* s) const;
  // Gradients of the scores for batch b: dq, dk accumulate; variable grads accumulate.
  void scoresBackward(const float* q, const float* k, Index tq, Index tv, Index d, const float* ds,
                      float* dq, float* dk);
  float scaleValue() const;

  Score score_ = Score::Dot;
  bool useScale_ = false;
  bool causal_ = false;
  bool returnScores_ = false;
  double dropout_ = 0.0;
  int scaleVar_ = -1, concatVar_ = -1;  // indices into vars_, -1 when absent
  Index dim_ = -1;                      // query / key last dimension (set by build)
  Tensor probs_;                        // (N, Tq, Tv) softmax weights
  Tensor dropMul_;                      // (N, Tq, Tv) dropout multipliers (training only)
  bool dropped_ = false;
  Tensor queryMask_;     // (N, Tq) the query mask of the last forward; empty without one
  Tensor dp_, ds_;       // scratch (Tq, Tv)
  Tensor dq_, dk_, dv_;  // backward buffers, input shaped
  Tensor dyMasked_;      // dY with the padded query rows zeroed
  std::optional<Rng> ownRng_;
  Rng fallbackRng_;
};

}  // namespace tessel
