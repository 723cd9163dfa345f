#pragma once
// The ONNX graph being written by the exporter (engine/io/OnnxExport.cpp), and the node a layer's
// ONNX hook (LayerInfo::onnx, engine/catalog/LayerInfo.h) writes into it. Layer hooks live in one
// file per layer family beside this one (OnnxCoreLayers.cpp, OnnxConvLayers.cpp, ...).
//
// Every tensor of the Keras model may exist in two layouts: the Keras one (channels_last, what
// Flatten, Dense, Concatenate and the model outputs see) and channels-first (what ONNX's Conv and
// pooling want). keras() and channelsFirst() make the missing one on demand with a Transpose,
// once per tensor.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"  // NamedWeights
#include "engine/io/proto/tessel_onnx.pb.h"

namespace tessel {

// One Keras node as a layer's ONNX hook sees it.
struct OnnxNode {
  const NodeSpec& spec;          // name, class name as written, inputs
  const std::string& className;  // the catalog's class name (aliases resolved)
  const json& config;            // completed with the catalog's defaults
  const NodeShapes* shapes;      // null when shape inference failed (unsupported checks only)
  std::string out;               // the tensor name reserved for the node's output (emit only)

  const std::string& name() const { return spec.name; }
  // The builder's key of the tensor input i reads (onnxTensorKey: output k of a producer).
  std::string input(size_t i) const;
  // The key of this node's output k (k > 0: a node with several outputs, LSTM return_state).
  std::string output(size_t k) const;
  const Shape& outputShape() const { return *shapes->output; }
  const Shape& inputShape(size_t i) const { return shapes->inputs.at(i); }
  // Ranks for the unsupported checks (0 when unknown).
  size_t outputRank() const { return shapes && shapes->output ? shapes->output->size() : 0; }
  size_t inputRank() const {
    return shapes && !shapes->inputs.empty() ? shapes->inputs[0].size() : 0;
  }
};

// The builder's key of output k of Keras node `node`: the node name for output 0, else
// "node:k" (a node with several outputs: LSTM return_state's h and c).
std::string onnxTensorKey(const std::string& node, int k);

// An int or a list of ints as `n` ints (one int, or a list of one, repeated).
std::vector<Index> onnxIntList(const json& v, size_t n);

// Whether the exporter writes this activation ("" when it does, else why not).
std::string onnxActivationError(const json& activation);

class OnnxGraphBuilder {
 public:
  OnnxGraphBuilder(onnx::GraphProto* graph, const NamedWeights& weights);

  // Weights by Keras node and variable name ("dense", "kernel"); weight() throws Error naming a
  // missing one.
  const Tensor& weight(const std::string& node, const std::string& var) const;
  bool hasWeight(const std::string& node, const std::string& var) const;

  // A tensor or node name not used yet: base, base_1, base_2, ...
  std::string fresh(const std::string& base);
  void reserve(const std::string& name) { used_.insert(name); }
  void release(const std::string& name) { used_.erase(name); }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& in,
                        const std::string& out, const std::string& nodeName);
  static void attr(onnx::NodeProto* n, const char* name, std::int64_t v);
  static void attr(onnx::NodeProto* n, const char* name, float v);
  static void attr(onnx::NodeProto* n, const char* name, const std::string& v);
  static void attr(onnx::NodeProto* n, const char* name, const std::vector<Index>& v);

  // Initializers; each returns its (fresh) name.
  std::string floatInit(const std::string& base, const Shape& dims, const std::vector<float>& v);
  std::string intInit(const std::string& base, const std::vector<Index>& v);
  std::string scalar(const std::string& base, float v) { return floatInit(base, {}, {v}); }

  // The Keras tensor `n` (a Keras node name) in either layout, made on first use.
  std::string keras(const std::string& n);
  std::string channelsFirst(const std::string& n);
  // True when `n` exists only channels-first (the layout a layer should keep working in).
  bool onlyChannelsFirst(const std::string& n) const;
  const std::string& kerasName(const std::string& n) const { return vals_.at(n).keras; }
  const std::string& channelsFirstName(const std::string& n) const { return vals_.at(n).cf; }

  // Declares Keras node `n` with its output shape, or a model input already in Keras layout.
  void declare(const std::string& n, const Shape& shape) { vals_[n].shape = shape; }
  void declareInput(const std::string& n, const Shape& shape) { vals_[n] = Val{n, "", shape}; }
  bool declared(const std::string& n) const { return vals_.count(n) > 0; }
  // Records the ONNX tensor that holds Keras node `n`'s output in one layout.
  void setKeras(const std::string& n, const std::string& tensor) { vals_[n].keras = tensor; }
  void setChannelsFirst(const std::string& n, const std::string& tensor) { vals_[n].cf = tensor; }

  // out = act(x); `axis` is the channel axis of x's layout (for softmax). Throws Error for an
  // activation without an ONNX form.
  std::string activation(const std::string& act, const std::string& x, const std::string& out,
                         const std::string& base, Index axis);
  // TF "same" padding (or zeros for "valid"): begin... then end... per spatial axis of `in`
  // (Keras layout, batch first).
  static std::vector<Index> pads(const Shape& in, const std::vector<Index>& k,
                                 const std::vector<Index>& s, const std::vector<Index>& d,
                                 bool same);

 private:
  struct Val {
    std::string keras;  // tensor name in Keras layout ("" until made)
    std::string cf;     // channels-first tensor name ("" until made)
    Shape shape;        // Keras shape (batch kNone)
  };

  onnx::GraphProto* graph_;
  std::map<std::string, const Tensor*> weights_;
  std::map<std::string, Val> vals_;
  std::set<std::string> used_;
};

}  // namespace tessel
