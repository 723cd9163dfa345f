#pragma once
// The layer contract. Each layer keeps its forward and backward side by side (llm.c style):
//   forward(x, y):  y = f(x)              x[i] is (N, ...), y is (N, ...)
//   backward(x, y, dy, dx): dx[i] = dL/dx[i] (OVERWRITTEN, not accumulated; the executor sums
//                   when a tensor feeds several layers; dx[i] may be nullptr when no gradient is
//                   needed for that input, e.g. a model input) and every trainable variable's
//                   grad is OVERWRITTEN with dL/dw for this batch.
// A layer may keep per-batch state (dropout masks, pre-activations) between forward and backward
// in its own buffers; buffers are sized on the first batch and reused (no allocation per step).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

using json = nlohmann::json;

// A weight as Keras holds it: name ("kernel", "bias", "moving_mean", ...), value, gradient.
struct Variable {
  std::string name;
  Tensor value;
  Tensor grad;  // same shape as value; unused when !trainable
  bool trainable = true;
};

// What a forward/backward call may need besides the tensors.
struct RunContext {
  bool training = false;
  Rng* rng = nullptr;      // for dropout/noise/augmentation; set by the executor
  double addedLoss = 0.0;  // layers add activity-regularization terms here in forward()
  // Masks (see Layer::maskOut): set by the executor before each forward() and backward() call.
  // inputMasks: per input port, that input's mask or nullptr (null pointer: no masks at all).
  // outputMask: where a layer whose maskOut() is Own writes its output's mask in forward().
  const std::vector<const Tensor*>* inputMasks = nullptr;
  Tensor* outputMask = nullptr;
  const Tensor* inputMask(size_t port) const {
    return inputMasks && port < inputMasks->size() ? (*inputMasks)[port] : nullptr;
  }
  // A layer with several outputs (Layer::outputNames): output 0 is forward's `y`; forward writes
  // output k >= 1 into extraOutput(k) (resizing it) when the executor gives one (nullptr: nobody
  // reads it), and backward reads dL/d(output k) from extraOutputGrad(k) (nullptr: no gradient
  // flows into it, read as zero).
  const std::vector<Tensor*>* extraOutputs = nullptr;
  const std::vector<const Tensor*>* extraOutputGrads = nullptr;
  Tensor* extraOutput(size_t k) const {
    return extraOutputs && k >= 1 && k <= extraOutputs->size() ? (*extraOutputs)[k - 1] : nullptr;
  }
  const Tensor* extraOutputGrad(size_t k) const {
    return extraOutputGrads && k >= 1 && k <= extraOutputGrads->size() ? (*extraOutputGrads)[k - 1]
                                                                       : nullptr;
  }
};

// What a layer does with masks (Keras 2's supports_masking / compute_mask).
//   None:      the output carries no mask (a layer without mask support drops it, as Keras 2 does).
//   PassFirst: the output carries input 0's mask unchanged (Keras's default compute_mask).
//   Own:       the layer computes its output's mask in forward() into RunContext::outputMask.
enum class MaskOut { None, PassFirst, Own };

class Layer {
 public:
  // `config` is the full, validated config (defaults filled in by the registry).
  Layer(std::string className, json config);
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const std::string& name() const { return name_; }
  const std::string& className() const { return className_; }
  const json& config() const { return config_; }
  bool trainable() const;

  // Inferred output shape (batch dimension kNone) from input shapes. Throws SpecError naming the
  // layer, with both shapes in the message, when the inputs do not fit.
  virtual Shape outputShape(const std::vector<Shape>& inputs) const = 0;
  // Several outputs (a Keras layer returning a list: LSTM return_state -> [output, h, c]): their
  // names (editor port labels) and shapes. Default: one, {"output"} and {outputShape(inputs)}.
  virtual std::vector<std::string> outputNames() const { return {"output"}; }
  virtual std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const {
    return {outputShape(inputs)};
  }
  // Creates variables for these input shapes. Initializers draw from `rng`. Default: none.
  virtual void build(const std::vector<Shape>& inputs, Rng& rng);
  virtual void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) = 0;
  virtual void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                        const std::vector<Tensor*>& dx, RunContext& ctx) = 0;
  // Masks. A mask marks which steps of a sequence are real (1) and which are padding (0): a float
  // tensor of 0/1 shaped like the tensor it belongs to without its last axis ((N, T) for
  // (N, T, F)). Embedding(mask_zero) and Masking make one; recurrent layers skip masked steps.
  // maskOut: given which inputs carry a mask, what the output carries (shape inference records
  // the answer per node in NodeShapes::masked; the executor follows it). Default: PassFirst when
  // supportsMasking() and input 0 is masked, else None.
  virtual bool supportsMasking() const { return false; }
  virtual MaskOut maskOut(const std::vector<bool>& inputMasked) const;
  // What output k carries: output 0 maskOut; the others None or PassFirst. Default: None for k>0.
  virtual MaskOut maskOutOf(size_t k, const std::vector<bool>& inputMasked) const {
    return k == 0 ? maskOut(inputMasked) : MaskOut::None;
  }
  // Weight regularization penalty (kernel_regularizer, bias_regularizer); when addGrads is true the
  // penalty's gradient is ADDED to the variables' grads. Default: none.
  virtual double regularization(bool addGrads);
  // True when backward() must see y (the output) — used by the executor to keep buffers.
  // Layers in the model's inference-only path skip backward altogether.

  // Variables in Keras weight order (model.get_weights() order for this layer).
  std::vector<Variable>& variables() { return vars_; }
  const std::vector<Variable>& variables() const { return vars_; }
  Index parameterCount() const;
  bool built() const { return built_; }

 protected:
  Variable& addVariable(const std::string& name, const Shape& shape, bool trainable = true);
  // Throw SpecError naming this layer (kind ShapeMismatch / BadValue).
  [[noreturn]] void throwShapeMismatch(const std::string& message) const;
  [[noreturn]] void throwBadValue(const std::string& message) const;
  // Throws ShapeMismatch unless there are between minCount and maxCount (-1: any) inputs.
  void checkInputCount(const std::vector<Shape>& inputs, size_t minCount, int maxCount) const;
  std::string className_;
  std::string name_;
  json config_;
  std::vector<Variable> vars_;
  bool built_ = false;
};

}  // namespace tessel
