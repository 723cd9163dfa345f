#pragma once
// A custom layer defined without Python: declared weights and a `call` expression, as a Keras
// Layer subclass with build() and call(). Config (class_name "CustomLayer"):
//   "custom_class": "CustomizedDenseLayer"        the user's class name (Python export, title)
//   "params": {"units": 30, "activation": "relu"}  numbers / booleans / strings (null = linear)
//   "weights": [{"name": "kernel", "shape": ["input_shape[-1]", "units"],
//                "initializer": "glorot_uniform", "trainable": true}, ...]
//   "call": "activation(x @ kernel + bias)"
// A weight dimension is an integer or an expression over the params and `input_shape` (the
// input's shape, batch first, as Keras's build(input_shape)). Initializers are Keras's (name or
// {"class_name", "config"}). The call sees x (the input), every weight and param by name; a
// string param called as a function is a Keras activation.
#include <memory>

#include "engine/expr/ExprLayerProgram.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"

namespace tessel {

class CustomLayer : public Layer {
 public:
  explicit CustomLayer(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  const std::string& customClass() const { return customClass_; }
  // The call's program spec for an input of shape `in` (weights with their shapes).
  ExprLayerSpec programSpec(const Shape& in) const;

 private:
  struct WeightDecl {
    std::string name;
    json shape;  // list of ints / dimension expressions
    Initializer init;
    bool trainable = true;
  };
  // Weight shapes for an input of shape `in` (throws ShapeMismatch / BadValue naming the layer).
  std::vector<Shape> weightShapes(const Shape& in) const;

  std::string customClass_;
  ExprLayerSpec base_;  // text and params
  std::vector<WeightDecl> decls_;
  std::unique_ptr<ExprLayerProgram> program_;
  std::vector<const Tensor*> w_;
  std::vector<Tensor*> dw_;
};

}  // namespace tessel
