#pragma once
// The compiled execution plan of a ModelSpec: layers created and built once in topological order,
// activation and gradient buffers allocated once per batch size and reused afterwards (no heap
// allocation inside a training step after the first step at a given batch size).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Error.h"  // before ModelSpec.h, which uses SpecError
#include "engine/core/Rng.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/Layer.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

class Model {
 public:
  // Validates the spec (throws the first SpecError of inferShapes), creates every layer with
  // LayerRegistry::instance().create and builds it (initializers drawn from `seed`).
  explicit Model(ModelSpec spec, std::uint64_t seed = 0);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelSpec& spec() const { return spec_; }
  size_t numInputs() const { return inputs_.size(); }
  size_t numOutputs() const { return outputs_.size(); }
  const Shape& inputShape(size_t i) const;   // batch dimension kNone
  const Shape& outputShape(size_t i) const;  // batch dimension kNone
  const std::string& inputName(size_t i) const;
  const std::string& outputName(size_t i) const;

  Layer* layer(const std::string& name);  // nullptr if unknown (InputLayer nodes have none)
  std::vector<Layer*> layers();           // Keras model.layers order (spec node order, no inputs)
  // Every variable in Keras model.weights order with its full name: "dense/kernel".
  std::vector<std::pair<std::string, Variable*>> namedWeights();
  std::vector<Variable*> trainableWeights();
  std::vector<Variable*> allWeights();  // trainable and non-trainable, Keras order
  Index parameterCount() const;

  // x[i] is (N, ...) for input i. Buffers are allocated once per batch size N and reused.
  // ctx.rng is set to the model's own generator when null.
  void forward(const std::vector<const Tensor*>& x, bool training, RunContext& ctx);
  const Tensor& output(size_t i) const;  // (N, ...) after forward()
  // dOut[i] = dLoss/dOutput_i (shape of output(i)); fills every trainable Variable::grad
  // (overwritten). Gradients are summed where a tensor feeds several consumers; gradients of the
  // model inputs are not computed, nor those of layers no trainable variable depends on.
  void backward(const std::vector<const Tensor*>& dOut, RunContext& ctx);
  // Sum of the layers' weight regularization penalties (model.losses); when addGrads the
  // penalties' gradients are ADDED to the variables' grads (call after backward()).
  double regularization(bool addGrads);

  // Explainability (engine/explain): with allGradients on, backward() also computes the gradient
  // of every tensor, model inputs included, frozen layers too (Variable::grad is still filled).
  // activationOf / gradientOf read a node's output / its gradient after forward / backward
  // (nullptr for an unknown node, or a gradient not computed). Off by default: training is as is.
  void setAllGradients(bool on);
  // `output` picks one output of a node with several (LSTM return_state: 0 output, 1 h, 2 c).
  const Tensor* activationOf(const std::string& node, int output = 0) const;
  const Tensor* gradientOf(const std::string& node, int output = 0) const;
  // The mask a node's output carried in the last forward() (Layer::maskOut), or nullptr.
  const Tensor* maskOf(const std::string& node, int output = 0) const;

  std::vector<Tensor> getWeights() const;               // Keras model.get_weights() order
  void setWeights(const std::vector<Tensor>& weights);  // throws Error on count/shape mismatch
  // Copies every weight into dst, reusing dst's storage (no allocation once sized).
  void copyWeightsTo(std::vector<Tensor>& dst) const;
  // Loads weights by full name ("dense/kernel"); throws Error naming a missing/misshaped one.
  void loadNamedWeights(const std::vector<std::pair<std::string, Tensor>>& weights);

 private:
  struct Step;  // one layer call in the plan
  void allocate(Index batch);
  void routeGradients();
  void setMasks(Step& st, RunContext& ctx);               // ctx.inputMasks for this step
  int slotOf(const std::string& node, int output) const;  // -1: no such node / output

  ModelSpec spec_;
  Rng rng_;
  std::vector<std::unique_ptr<Layer>> owned_;  // spec node order (non-input nodes)
  std::vector<Step> steps_;                    // topological order
  std::vector<std::string> inputs_, outputs_;
  std::vector<Shape> inputShapes_, outputShapes_;
  // Tensor slots: one per node output (input nodes' slots point at the caller's x).
  std::vector<Tensor> act_, grad_;
  std::vector<const Tensor*> actPtr_;
  std::vector<Tensor> maskBuf_;         // per slot: the mask of a layer with MaskOut::Own
  std::vector<const Tensor*> maskPtr_;  // per slot: the output's mask after forward, or null
  std::vector<int> inputSlot_, outputSlot_;
  std::vector<char> needGrad_;         // per slot: some trainable variable lies upstream
  std::vector<char> upstream_;         // needGrad_ as planned (setAllGradients(false) restores it)
  std::map<std::string, int> slotOf_;  // a node's first slot
  std::map<std::string, int> outputCountOf_;  // its number of outputs
  Index batch_ = -1;
  Shape scratchShape_;
};

}  // namespace tessel
