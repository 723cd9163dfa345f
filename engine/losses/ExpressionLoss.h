#pragma once
// A custom loss written as an expression of y_true and y_pred, as Keras's
// model.compile(loss=customized_mse) with
//   def customized_mse(y_true, y_pred): return tf.reduce_mean(tf.square(y_pred - y_true))
// Serialized as {"class_name": "ExpressionLoss", "config": {"name": ..., "expression": ...}}.
// The value is per sample ((N, ...) averaged over the other axes) or one scalar for the batch;
// sample weights and the batch mean apply as for every Keras loss. An expression that reads
// sample_weight (shape (N,)) gets the trainer's per-sample weights and applies them itself, e.g.
//   sample_weight * tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)
// which trains as "mse" with those sample weights (Keras's sum_over_batch_size reduction then
// divides the weighted sum by the batch size). An expression that is
// mean(square(y_pred - y_true)) or mean(abs(y_pred - y_true)) runs the built-in
// mean_squared_error / mean_absolute_error kernel (the same numbers as compiling with "mse").
#include <memory>

#include "engine/expr/ExprSampleFunction.h"
#include "engine/losses/Loss.h"

namespace tessel {

class ExpressionLoss : public Loss {
 public:
  ExpressionLoss(const std::string& expression, std::string name);
  std::string name() const override { return name_; }
  std::string className() const override { return "ExpressionLoss"; }
  nlohmann::json config() const override;
  void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const override;
  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                Tensor& dPred) const override;
  void checkLabels(const Tensor& yTrue, const Shape& predShape) const override;
  bool takeSampleWeights(const float* w) override;
  // The built-in loss this expression runs as, or nullptr.
  const Loss* builtin() const { return builtin_.get(); }

 private:
  std::string name_;
  mutable ExprSampleFunction fn_;  // caches its graph per label / output shape
  std::unique_ptr<Loss> builtin_;
  const float* weights_ = nullptr;  // the batch's sample weights (takeSampleWeights)
};

}  // namespace tessel
