#pragma once
// keras.layers.Activation: y = activation(x), elementwise (softmax over the last axis).
//   x is (N, ...), y is (N, ...).
#include "engine/layers/Activations.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Activation : public Layer {
 public:
  explicit Activation(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  bool supportsMasking() const override { return true; }  // Keras 2: the mask passes on
  ActivationFn function() const { return fn_; }

 private:
  ActivationFn fn_ = ActivationFn::Linear;
};

}  // namespace tessel
