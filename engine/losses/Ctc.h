#pragma once
// Keras 3 `keras.losses.CTC` (Connectionist Temporal Classification), the TensorFlow backend's
// `tf.nn.ctc_loss(labels, logits, label_length, logit_length, blank_index=0)`:
//   y_pred (N, T, C): logits; the loss applies log_softmax over C itself. Class 0 is the blank.
//   y_true (N, L): integer labels 1..C-1 stored as floats, padded at the end with 0 (Keras 3's
//          mask_index); label_length = the number of non-zero entries (as Keras 3 counts them),
//          logit_length = T for every sample.
//   loss_i = -log p(label_i | x_i), the sum over every alignment of length T that collapses
//            (merge repeats, drop blanks) to the label. Computed in log space in double
//            (forward alpha / backward beta with log-sum-exp); the gradient is exact:
//            dL/dlogit[t][k] = softmax[t][k] - (posterior occupancy of class k at step t).
// from_logits (ours, default true = Keras 3): false takes softmax probabilities, as Keras 2's
//   `backend.ctc_batch_cost` did, through logits = log(y_pred + 1e-7), so that a model ending in
//   Dense(softmax) trains with the exact Keras 3 loss of those logits (the Python export writes
//   the same transform). Only written to the config when false, so the default config is Keras
//   3's own.
// Bad input: labels out of [0, C-1] or not integers, a label after the 0 padding, y_pred of rank
//   != 3, a NaN or infinite y_pred: Error naming the loss. A label that cannot be aligned in T
//   steps (needs T >= length + repeated neighbours) is refused by checkLabels before training;
//   met in perSample it gives +inf as TensorFlow does, and its gradient is 0 (PyTorch's
//   zero_infinity), so one impossible sample cannot fill the weights with NaN.
#include "engine/losses/Loss.h"

namespace tessel {

class Ctc : public Loss {
 public:
  explicit Ctc(bool fromLogits = true, std::string name = "ctc")
      : fromLogits_(fromLogits), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "CTC"; }
  nlohmann::json config() const override;
  void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const override;
  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                Tensor& dPred) const override;
  void checkLabels(const Tensor& yTrue, const Shape& predShape) const override;
  bool fromLogits() const { return fromLogits_; }

  // The Keras 3 blank / padding index.
  static constexpr Index kBlank = 0;
  // The smallest T that can align `label` (its length plus one blank between equal neighbours).
  static Index minSteps(const std::vector<Index>& label);

 private:
  // Sample i's label ids (the non-zero prefix of row i), checked against `classes`.
  std::vector<Index> labelOf(const Tensor& yTrue, Index i, Index width, Index classes) const;
  void checkShapes(const Tensor& yTrue, const Tensor& yPred) const;
  // -log p(label | x) of one (T, C) sample; with g, also g = scale * dL/dx.
  double sample(const std::vector<Index>& label, const float* x, Index t, Index c, double scale,
                float* g) const;
  bool fromLogits_;
  std::string name_;
};

}  // namespace tessel
