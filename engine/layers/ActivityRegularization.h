#pragma once
// keras.layers.ActivityRegularization: y = x; adds (l1 sum|x| + l2 sum x^2) / N to the loss.
// Divided by the batch size N as Keras 2's base Layer does ("make activity regularization
// strength batch-agnostic"); TF.js 4.22 has no such layer and refuses activity regularizers in
// eager training, so Keras 2 is the reference here. x is (N, ...), y is (N, ...).
#include "engine/layers/Layer.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

class ActivityRegularization : public Layer {
 public:
  explicit ActivityRegularization(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  Regularizer reg_;
};

}  // namespace tessel
