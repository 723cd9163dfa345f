#pragma once
// The Keras graph being built from an ONNX graph by the importer (engine/io/OnnxImport.h): what
// every ONNX tensor is (a Keras tensor in one layout, or a constant), the layers and weights made
// so far, and the helpers the operator handlers (ImportOps.cpp) share.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/io/proto/tessel_onnx.pb.h"

namespace tessel::onnximport {

// TimeMajor: a rank-3 Keras tensor (N, T, F) seen as ONNX's recurrent layout (T, N, F).
enum class Layout { Keras, ChannelsFirst, TimeMajor };

// An output of an ONNX RNN / GRU / LSTM node that is not a Keras tensor yet
// (ImportRecurrentOps.cpp): Y (T, dirs, N, U) or Y_h / Y_c (dirs, N, U), on its way through the
// Gather / Squeeze / Transpose / Reshape that pick a direction and drop the directions axis.
struct RnnPart {
  std::string layer;       // the Keras layer made for the ONNX node
  int which = 0;           // 0 Y, 1 Y_h, 2 Y_c
  Index dirs = 1;          // the ONNX node's num_directions
  int dir = -1;            // the direction picked, -1 while all are there
  bool dirAxis = true;     // the num_directions axis is still there
  bool dirsInner = false;  // Y after Transpose(0, 2, 1, 3): (T, N, dirs, U)
};

// One ONNX tensor.
struct Value {
  bool isConst = false;
  // Keras tensor: the node whose output this is, seen as is (Keras, channels_last) or with the
  // channels axis moved to position 1 (ONNX's NCHW). Rank <= 2 tensors are always Keras.
  std::string node;
  Layout layout = Layout::Keras;
  // Keras tensor `node` is output k of a layer with several outputs: node is "layer:k" (layer
  // names never hold ':'); kerasShape and addLayer read the suffix.
  // Recurrent import (ImportRecurrentOps.cpp): a Keras tensor with its time axis reversed
  // (Slice with step -1, before an RNN: go_backwards), a (N, U) tensor seen as (1, N, U) (an
  // initial state), a pending RNN output.
  bool reversed = false;
  bool stateView = false;
  // A Keras tensor Cast to integers: ids, read only by Gather from an embedding table.
  bool ids = false;
  std::optional<RnnPart> rnn;
  // A constant whose values depend on the runtime shape (Shape of a time-major or dynamic
  // tensor, and arithmetic on it): read only by Expand / ConstantOfShape. `zeros`: a constant of
  // zeros of such a shape (PyTorch's default initial states).
  bool symbolic = false;
  bool zeros = false;
  // A flattened channels-first tensor: element j of the ONNX vector is element flatPerm[j] of
  // the Keras one (empty when both orders agree).
  std::vector<Index> flatPerm;
  // Constant: ONNX dims, values as doubles (floats and integers alike).
  Shape dims;
  std::vector<double> data;
  bool isFloat = true;
};

// A TensorProto (initializer, Constant) as a constant; Error for a type or size not read.
Value constantOf(const onnx::TensorProto& t);

class ImportGraph;
using OpHandler = std::function<void(ImportGraph&, const onnx::NodeProto&)>;

// "layer" for output 0, "layer:k" for output k (Value::node of a layer with several outputs).
std::string tensorKey(const std::string& layer, int k);
// The layer and output index of a Value::node.
std::pair<std::string, int> splitTensorKey(const std::string& key);

// The operators handled (ImportOps.cpp), by op_type.
const std::map<std::string, OpHandler>& importOps();

class ImportGraph {
 public:
  // `kerasInputs`: the graph inputs are channels_last whatever their rank (files written by our
  // exporter, engine/io/OnnxExport.h, keep Keras's interface).
  ImportGraph(const onnx::GraphProto& graph, int opset, const std::string& modelName,
              bool kerasInputs = false);
  // Builds the whole model; throws Error (nothing returned) on the first problem.
  ModelFile build();

  int opset() const { return opset_; }

  // ---- values
  const Value& in(const onnx::NodeProto& n, int i) const;  // input i (Error when absent)
  bool hasIn(const onnx::NodeProto& n, int i) const;
  const Value& value(const std::string& tensor) const;
  void setOut(const onnx::NodeProto& n, Value v, int i = 0);
  // setOut for a node folded into the layer of its input `xi` (foldable): that input tensor,
  // consumed only here, no longer counts as a view of the layer.
  void setFoldedOut(const onnx::NodeProto& n, int xi, Value v);
  // A Keras tensor input (not a constant) / a constant input, with a clear Error otherwise.
  const Value& tensorIn(const onnx::NodeProto& n, int i) const;
  const Value& constIn(const onnx::NodeProto& n, int i) const;

  // ---- attributes
  static const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name);
  static std::int64_t intAttr(const onnx::NodeProto& n, const char* name, std::int64_t def);
  static float floatAttr(const onnx::NodeProto& n, const char* name, float def);
  static std::string stringAttr(const onnx::NodeProto& n, const char* name, const std::string& def);
  static std::vector<Index> intsAttr(const onnx::NodeProto& n, const char* name);

  // ---- the Keras side
  // Adds a layer (config gets "name"); returns its name. `base` is the preferred name. An input
  // "layer:k" reads output k of that layer.
  std::string addLayer(const std::string& className, const std::string& base, json config,
                       const std::vector<std::string>& inputs);
  NodeSpec& layer(const std::string& name);
  // Renames a layer to `base` (sanitized) when that name is free, everywhere it is referred to.
  void renameLayer(const std::string& from, const std::string& base);
  void setWeight(const std::string& layer, const std::string& var, Tensor t);
  Tensor& weight(const std::string& layer, const std::string& var);
  bool hasWeight(const std::string& layer, const std::string& var) const;
  // Whether an ONNX tensor is read by a node or is a graph output.
  bool used(const std::string& tensor) const;
  // The Keras output shape of a layer (batch kNone), or of output k for "layer:k"; Error when it
  // cannot be inferred.
  const Shape& kerasShape(const std::string& layer);
  // The ONNX shape of a Keras tensor value (channels moved to axis 1 when channels-first).
  Shape onnxShape(const Value& v);
  size_t rank(const Value& v);
  // Whether value v of node n's input i may be changed in place (activation or bias folded into
  // its layer): its layer is seen by no other ONNX tensor and consumer, and is no model output.
  bool foldable(const onnx::NodeProto& n, int i);
  // A layer name for node n: the prefix of its first weight's name ("fc1.weight" -> "fc1",
  // "dense/kernel" -> "dense"), else its output tensor or node name, else `fallback`.
  std::string nameFor(const onnx::NodeProto& n, const std::string& fallback) const;

  [[noreturn]] static void fail(const onnx::NodeProto& n, const std::string& why);

 private:
  void readInitializers();
  void declareInputs();
  std::string inputLayout(const std::string& tensor) const;
  void finish(ModelFile& out);

  const onnx::GraphProto& graph_;
  int opset_;
  bool kerasInputs_;
  ModelSpec spec_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumers_;   // ONNX tensor -> number of consuming node inputs
  std::map<std::string, int> views_;       // Keras node -> number of ONNX tensors naming it
  std::set<std::string> graphOutputs_;     // ONNX tensor names
  std::map<std::string, Tensor> weights_;  // "layer/var"
  std::map<std::string, Shape> shapes_;    // cache of kerasShape
};

}  // namespace tessel::onnximport
