#pragma once
// A loss or metric function written as an expression of y_true, y_pred and sample_weight
// (shape (N,), when allowed), as Keras's fn(y_true, y_pred). Its result is either one value per
// sample, (N, ...) averaged over the non-batch axes, or a scalar for the whole batch (as
// tf.reduce_mean(tf.square(y_pred - y_true))), which then counts as every sample's value. The
// graph is built for the label and output shapes of the first batch (batch dimension kNone) and
// rebuilt when they change.
#include <memory>
#include <string>

#include "engine/expr/ExprEvaluator.h"
#include "engine/expr/ExprGraph.h"

namespace tessel {

class ExprSampleFunction {
 public:
  // Checks the syntax and names now (shapes are checked per batch). Throws ExprError.
  ExprSampleFunction(std::string text, bool allowSampleWeight);
  ExprSampleFunction(ExprSampleFunction&&) noexcept;
  ~ExprSampleFunction();
  const std::string& text() const { return text_; }
  // True when the expression reads sample_weight (it weighs the samples itself).
  bool readsSampleWeight() const { return readsWeights_; }

  // Throws ExprError when the expression does not fit labels / outputs of these shapes.
  void check(const Shape& yTrue, const Shape& yPred);
  // out[i] = the value of sample i (N = yPred.dim(0)); sampleWeight may be nullptr (ones).
  void values(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight, float* out);
  // dPred = d/dyPred sum_i scale[i] * value_i (scale nullptr: ones); sampleWeight as values().
  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale, Tensor& dPred,
                const float* sampleWeight = nullptr);
  // True when the expression is mean(square(y_pred - y_true)) (over all axes or the last).
  bool isMeanSquaredError();
  bool isMeanAbsoluteError();

 private:
  struct Built;
  Built& built(const Shape& yTrue, const Shape& yPred);
  void bindAll(Built& b, const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight,
               Index n);
  std::string text_;
  bool allowWeights_;
  bool readsWeights_ = false;
  std::unique_ptr<Built> b_;
};

}  // namespace tessel
