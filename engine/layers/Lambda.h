#pragma once
// keras.layers.Lambda with a differentiable expression instead of Python code: y = f(x).
// The expression is in the config under "expression" (Keras keeps Python bytecode under
// "function"; it is never read or run). One input is `x` (or `inputs`); several inputs are
// `x[i]` / `inputs[i]`. Keras's "arguments" dictionary supplies named numbers (or strings) to
// the expression. Output shape, forward and backward all come from the expression graph
// (engine/expr/ExprLayerProgram.h): x is (N, ...) per input, y is (N, ...) as inferred.
#include <memory>

#include "engine/expr/ExprLayerProgram.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Lambda : public Layer {
 public:
  explicit Lambda(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  const std::string& expression() const { return spec_.text; }
  // The program spec for inputs of these shapes.
  ExprLayerSpec programSpec(const std::vector<Shape>& inputs) const {
    ExprLayerSpec s = spec_;
    s.inputs = inputs;
    return s;
  }
  // Why a Lambda config cannot be built ("" when it can): a Keras Lambda with Python code only.
  static std::string unsupportedReason(const json& config);

 private:
  ExprLayerSpec spec_;
  std::unique_ptr<ExprLayerProgram> program_;
};

}  // namespace tessel
