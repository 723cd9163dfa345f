#pragma once
// A Functional model as data: nodes with Keras class names and configs, edges from producer
// nodes to consumer input ports. Its native serialisation IS the Keras functional
// `model.to_json()` topology (Keras 2 / TF.js form, `inbound_nodes` as nested lists).
// One call per layer (shared layers, i.e. a layer with several inbound nodes, are refused with a
// clear message on import).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/tensor/Shape.h"

namespace tessel {

using json = nlohmann::json;
class LayerRegistry;

struct NodeSpec {
  std::string name;                 // unique in the model; equals config["name"]
  std::string className;            // "Dense", "InputLayer", ...
  json config;                      // as Keras writes it (may omit defaults)
  std::vector<std::string> inputs;  // producer node names, in port order
  // Which output of its producer each port reads (Keras inbound_nodes' tensor_index): a producer
  // with several outputs (LSTM return_state: output, h, c) is read by index. Ports past the end
  // read output 0, so a graph of one-output layers leaves it empty; setInputTensor keeps it so.
  std::vector<int> inputTensors;

  // A model input (the layer catalog's LayerInfo::isInput: InputLayer).
  bool isInput() const;
  int inputTensor(size_t port) const { return port < inputTensors.size() ? inputTensors[port] : 0; }
  void setInputTensor(size_t port, int tensor);
  // Removes port `port` from inputs and inputTensors together; insertInput puts one in at `port`.
  void eraseInput(size_t port);
  void insertInput(size_t port, const std::string& producer, int tensor = 0);
};

// --- composite blocks (engine/graph/Blocks.h) ---
// A named group of nodes shown as one block and written as a nested Keras Functional; metadata
// only: the flat nodes stay the model. `nodes` lists every node inside it (nested blocks' too).
struct BlockSpec {
  std::string name;
  std::vector<std::string> nodes;  // in spec order
  bool collapsed = true;
  std::string parent;  // the enclosing block, "" at the top level
  bool operator==(const BlockSpec&) const = default;
};
// The outputs of a node, by name, as its layer makes them: {"output"} for an ordinary layer (and
// an InputLayer, or a config that cannot be built); LSTM(return_state) {"output", "h", "c"},
// GRU / SimpleRNN {"output", "h"}; Bidirectional(merge_mode=None) {"forward", "backward"} (+ the
// states); Attention layers with return_attention_scores {"output", "scores"}.
std::vector<std::string> nodeOutputNames(const NodeSpec& node);

class ModelSpec {
 public:
  std::string name = "model";
  std::vector<NodeSpec> nodes;       // in Keras "layers" order (inputs first when built in order)
  std::vector<std::string> inputs;   // InputLayer node names, model input order
  std::vector<std::string> outputs;  // output node names, model output order
  // Composite blocks (Blocks.h), outermost first; written as "tessel_groups" next to "config".
  std::vector<BlockSpec> groups;
  std::vector<int> outputTensors;  // which output of each (as NodeSpec::inputTensors)
  int outputTensor(size_t i) const { return i < outputTensors.size() ? outputTensors[i] : 0; }
  void setOutputTensor(size_t i, int tensor);

  const NodeSpec* find(const std::string& nodeName) const;
  NodeSpec* find(const std::string& nodeName);
  // Keras auto-naming: "dense", then "dense_1", "dense_2", ... (first free).
  std::string uniqueName(const std::string& base) const;
  // snake_case of a class name as Keras does it: "Dense" -> "dense", "Conv2D" -> "conv2d",
  // "BatchNormalization" -> "batch_normalization", "InputLayer" -> "input_1" style handled by
  // uniqueName("input").
  static std::string defaultBaseName(const std::string& className);

  // Reads {"class_name": "Functional"|"Model"|"Sequential", "config": {...}} (Keras 2 / TF.js), or
  // a whole TF.js model.json (uses "modelTopology", itself possibly {"model_config": ...}).
  // Sequential models become the equivalent Functional graph. Throws Error/SpecError.
  static ModelSpec fromKerasJson(const json& topology);
  // Writes {"class_name": "Functional", "config": {name, layers, input_layers, output_layers}}.
  json toKerasJson() const;

  bool operator==(const ModelSpec& other) const;
};

// A layer config as read from Keras 2, TF.js or Keras 3 JSON, in the spec's Keras 2 form: nested
// {"module", "registered_name"} keys dropped, a Keras 3 dtype policy object replaced by its name,
// an InputLayer's "batch_shape" renamed "batch_input_shape", Keras-3-only keys at their null
// default ("lora_rank", ...) dropped. fromKerasJson applies it to every layer.
json normalizeLayerConfig(const std::string& className, const json& config);

// An InputLayer node as Keras 2 writes it: config {"batch_input_shape": [null, ...], "dtype":
// "float32", "sparse": false, "ragged": false, "name"}. `batchShape` includes the batch dimension.
NodeSpec makeInputLayerNode(const std::string& name, const Shape& batchShape);
// The batch shape (kNone batch) of an InputLayer config: "batch_input_shape" (Keras 2 / TF.js),
// "batch_shape" (Keras 3) or "input_shape"/"shape" (+ "batch_size"). Throws SpecError(BadValue).
Shape inputLayerShape(const NodeSpec& node);

// Nodes in an order where every producer comes before its consumers. Throws SpecError(Cycle)
// naming a node on the cycle, or SpecError(UnconnectedInput) for a dangling edge.
std::vector<std::string> topologicalOrder(const ModelSpec& spec);

struct NodeShapes {
  std::vector<Shape> inputs;    // one per input port
  std::optional<Shape> output;  // empty when it could not be inferred (output 0)
  bool masked = false;          // the output carries a mask (Layer::maskOut; Embedding mask_zero)
  // A node with several outputs (Layer::outputNames): every output's shape and mask, outputs[0]
  // == *output. Empty for a one-output node.
  std::vector<Shape> outputs;
  std::vector<bool> outputMasked;
  size_t outputCount() const { return outputs.empty() ? 1 : outputs.size(); }
  std::optional<Shape> outputAt(size_t k) const {
    if (k == 0) return output;
    if (k < outputs.size()) return outputs[k];
    return std::nullopt;
  }
  bool maskedAt(size_t k) const {
    return k == 0 ? masked : k < outputMasked.size() && outputMasked[k];
  }
};

struct ShapeReport {
  std::vector<std::pair<std::string, NodeShapes>> nodes;  // topological order when acyclic
  std::vector<SpecError> errors;                          // every problem found, each naming a node
  const NodeShapes* find(const std::string& node) const;
  bool ok() const { return errors.empty(); }
};

// Validates the whole spec and infers every node's output shape (batch dimension kNone): cycles,
// unconnected inputs, unknown layers, unknown config keys, bad values, shape mismatches,
// outputs not reachable from an input. Never throws for a bad graph; collects errors instead.
ShapeReport inferShapes(const ModelSpec& spec);
// Same against a given registry (tests register small fake layer types into a local one).
ShapeReport inferShapes(const ModelSpec& spec, const LayerRegistry& registry);

// Keras model.summary() table: Layer (type), Output Shape, Param #, Connected to, then totals
// (Total params, Trainable params, Non-trainable params). Throws the first SpecError if invalid.
// Layout of Keras 2.9-2.12 `model.summary()` for a functional model (positions .33/.55/.67/1,
// a blank line after every layer, totals with thousands separators). Param counts come from
// building each layer with a throwaway Rng.
std::string summaryTable(const ModelSpec& spec, int width = 98);
std::string summaryTable(const ModelSpec& spec, const LayerRegistry& registry, int width = 98);

}  // namespace tessel
