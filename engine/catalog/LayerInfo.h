#pragma once
// One entry of the layer catalog (LayerRegistry, engine/layers/LayerRegistry.h): the Keras class
// name and aliases, the Keras docs group, one doc line, the parameters with Keras defaults, and
// the hooks every other part reads instead of listing class names of its own:
//   - create: the engine layer, from a completed config;
//   - onnx: how the ONNX exporter writes it (engine/io/onnx/, one file per layer family);
//   - pythonPositional: the leading constructor arguments the Python exporter writes by position;
//   - subtitleKeys: the config keys the editor shows under a node's title ("Dense 100 · selu");
//   - identityAtInference: training-only layers (Dropout, GaussianNoise, Random* augmentation):
//     inference passes the input through;
//   - isInput: InputLayer, a model input with no layer inputs.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/catalog/Catalog.h"
#include "engine/layers/Layer.h"

namespace tessel {

class OnnxGraphBuilder;  // engine/io/onnx/OnnxGraphBuilder.h
struct OnnxNode;         // the node being exported, with its completed config and shapes

// How a layer is written as ONNX. A layer without `write` has no ONNX form; `notExpressible` says
// why in words a user understands.
struct LayerOnnxHook {
  // Writes the node's ONNX nodes and initializers.
  std::function<void(OnnxGraphBuilder&, const OnnxNode&)> write;
  // Why this particular config cannot be exported ("" when it can); empty function: always can.
  std::function<std::string(const OnnxNode&)> unsupported;
  std::string notExpressible;
};

// A config key the editor shows under a node's title, as `prefix` + value ("/2×2" for strides).
// `whenChanged`: only when it differs from the Keras default (strides 1, activation linear).
struct SubtitleKey {
  SubtitleKey(std::string k, bool changed = false, std::string p = {})
      : key(std::move(k)), whenChanged(changed), prefix(std::move(p)) {}
  std::string key;
  bool whenChanged = false;
  std::string prefix;
};

// The Keras docs groups, in the order of the Keras layer docs: the palette's sections, and the key
// of the editor's node colours and icons.
inline const std::vector<std::string>& layerGroups() {
  static const std::vector<std::string> groups = {
      "Core",           "Convolution", "Pooling",   "Recurrent", "Preprocessing", "Normalization",
      "Regularization", "Attention",   "Reshaping", "Merging",   "Activation",    "Custom"};
  return groups;
}

struct LayerInfo : CatalogEntry {
  int minInputs = 1;  // merge layers: 2 (or 1), maxInputs = -1 for "any"
  int maxInputs = 1;
  bool isInput = false;                   // InputLayer: a model input (no layer inputs)
  bool identityAtInference = false;       // active in training only; inference returns the input
  std::vector<SubtitleKey> subtitleKeys;  // shown under the node's title, in this order
  std::vector<std::string> pythonPositional;  // Keras constructor arguments passed by position
  // Config keys that are Keras call arguments (MultiHeadAttention's use_causal_mask): the Python
  // export passes them to the call, not the constructor; a model file's call kwargs are read into
  // them.
  std::vector<std::string> callArguments;
  // The inputs are separate call arguments, layer(query, value, key), not one list
  // (MultiHeadAttention); Keras 2 JSON writes value / key as call kwargs.
  bool callInputsAsArguments = false;
  // Keras 2 config keys that Keras 3 refuses (Attention's deprecated `causal`, MultiHeadAttention's
  // query_shape): Keras 3 JSON leaves them out while they are at their default.
  std::vector<std::string> keras2OnlyKeys;
  LayerOnnxHook onnx;
  std::function<std::unique_ptr<Layer>(const json& config)> create;  // from a completed config
  // Why a config read from a file cannot be built ("" when it can; empty function: always can),
  // e.g. a Keras Lambda holding Python code. Import lists these with the layer's name.
  std::function<std::string(const json& config)> unsupported;
  // Python export: the layer's constructor call instead of layers.<Class>(args) (Lambda), and
  // code written once before build_model (a custom layer's class). Empty: the default.
  std::function<std::string(const json& config, const std::string& name)> pythonCall;
  std::function<std::string(const json& config)> pythonDefinition;
};

}  // namespace tessel
