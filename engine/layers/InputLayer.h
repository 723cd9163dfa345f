#pragma once
// keras.layers.InputLayer: a model input. Config batch_input_shape [null, ...] as Keras 2 / TF.js
// write it; Keras 3's batch_shape (and input_shape without the batch) are accepted and rewritten
// to batch_input_shape. forward copies the fed tensor: y = x[0], (N, ...).
#include "engine/layers/Layer.h"

namespace tessel {

class InputLayer : public Layer {
 public:
  explicit InputLayer(const json& config);
  // No inputs: returns (None, ...) from batch_input_shape.
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  const Shape& shape() const { return shape_; }

 private:
  Shape shape_;  // batch dimension kNone
};

}  // namespace tessel
