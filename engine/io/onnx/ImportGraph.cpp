#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/onnx/ImportOps.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/train/Model.h"

namespace tessel::onnximport {

namespace {

std::string nodeLabel(const onnx::NodeProto& n) {
  return n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name();
}

// A Keras-friendly name: letters, digits and '_' ("fc1.weight" -> "fc1_weight"), no leading '_'.
std::string sanitize(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  while (!o.empty() && o.front() == '_') o.erase(o.begin());
  while (!o.empty() && o.back() == '_') o.pop_back();
  if (!o.empty() && std::isdigit(static_cast<unsigned char>(o.front()))) return {};
  return o;
}

template <typename T>
void readRaw(const std::string& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

}  // namespace

std::string tensorKey(const std::string& layer, int k) {
  return k == 0 ? layer : layer + ":" + std::to_string(k);
}

std::pair<std::string, int> splitTensorKey(const std::string& key) {
  const size_t colon = key.rfind(':');
  if (colon == std::string::npos) return {key, 0};
  return {key.substr(0, colon), std::stoi(key.substr(colon + 1))};
}

// A TensorProto (initializer or Constant) as a constant Value.
Value constantOf(const onnx::TensorProto& t) {
  Value v;
  v.isConst = true;
  Index count = 1;
  for (auto d : t.dims()) {
    if (d < 0) throw Error("ONNX import: tensor '" + t.name() + "' has a negative dimension");
    v.dims.push_back(d);
    count *= d;
    if (count > (Index(1) << 31))
      throw Error("ONNX import: tensor '" + t.name() + "' is too large");
  }
  const bool raw = t.has_raw_data();
  size_t width = 0;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      width = 4;
      if (raw)
        readRaw<float>(t.raw_data(), v.data);
      else
        v.data.assign(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto::INT64:
      width = 8;
      v.isFloat = false;
      if (raw)
        readRaw<std::int64_t>(t.raw_data(), v.data);
      else
        v.data.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::INT32:
      width = 4;
      v.isFloat = false;
      if (!raw) throw Error("ONNX import: int32 tensor '" + t.name() + "' has no raw data");
      readRaw<std::int32_t>(t.raw_data(), v.data);
      break;
    case 11:  // DOUBLE
      width = 8;
      if (!raw) throw Error("ONNX import: double tensor '" + t.name() + "' has no raw data");
      readRaw<double>(t.raw_data(), v.data);
      break;
    default:
      throw Error("ONNX import: tensor '" + t.name() + "' has data type " +
                  std::to_string(t.data_type()) + " (float32, double, int32 and int64 are read)");
  }
  if (raw && t.raw_data().size() != static_cast<size_t>(count) * width)
    throw Error("ONNX import: tensor '" + t.name() + "' holds " +
                std::to_string(t.raw_data().size()) + " bytes, its shape needs " +
                std::to_string(count * static_cast<Index>(width)) + " (truncated file?)");
  if (static_cast<Index>(v.data.size()) != count)
    throw Error("ONNX import: tensor '" + t.name() + "' holds " + std::to_string(v.data.size()) +
                " values, its shape needs " + std::to_string(count) +
                (count && v.data.empty() ? " (external data is not read)" : ""));
  return v;
}

ImportGraph::ImportGraph(const onnx::GraphProto& graph, int opset, const std::string& modelName,
                         bool kerasInputs)
    : graph_(graph), opset_(opset), kerasInputs_(kerasInputs) {
  spec_.name = sanitize(modelName).empty() ? "model" : sanitize(modelName);
}

void ImportGraph::fail(const onnx::NodeProto& n, const std::string& why) {
  throw Error("ONNX import: node '" + nodeLabel(n) + "' (" + n.op_type() + "): " + why);
}

// ---- values --------------------------------------------------------------------------------

const Value& ImportGraph::value(const std::string& tensor) const {
  auto it = values_.find(tensor);
  if (it == values_.end())
    throw Error("ONNX import: tensor '" + tensor + "' is used before any node produces it");
  return it->second;
}

bool ImportGraph::hasIn(const onnx::NodeProto& n, int i) const {
  return i < n.input_size() && !n.input(i).empty();
}

const Value& ImportGraph::in(const onnx::NodeProto& n, int i) const {
  if (!hasIn(n, i)) fail(n, "input " + std::to_string(i) + " is missing");
  return value(n.input(i));
}

const Value& ImportGraph::tensorIn(const onnx::NodeProto& n, int i) const {
  const Value& v = in(n, i);
  if (v.isConst)
    fail(n, "input '" + n.input(i) + "' is a constant (only computed tensors are imported here)");
  if (v.rnn)
    fail(n, "input '" + n.input(i) + "' is an output of an ONNX " +
                std::string(v.rnn->which == 0 ? "recurrent node's Y" : "recurrent node's state") +
                " that still has its num_directions axis; only Squeeze, Gather, Transpose and "
                "Reshape that pick a direction (as PyTorch and Tessel write them) are imported "
                "there");
  if (v.reversed)
    fail(n, "input '" + n.input(i) +
                "' is a time-reversed tensor (Slice with step -1); it is imported only as the "
                "input of a recurrent node (Keras go_backwards)");
  if (v.ids)
    fail(n, "input '" + n.input(i) +
                "' is a tensor cast to integers; it is imported only as the indices of a Gather "
                "from an embedding table (Keras Embedding)");
  if (v.stateView)
    fail(n, "input '" + n.input(i) +
                "' is a (1, N, units) view of a state; it is imported only as a recurrent "
                "node's initial state");
  return v;
}

const Value& ImportGraph::constIn(const onnx::NodeProto& n, int i) const {
  const Value& v = in(n, i);
  if (!v.isConst) fail(n, "input '" + n.input(i) + "' must be a constant (an initializer)");
  if (v.symbolic || v.zeros)
    fail(n, "input '" + n.input(i) +
                "' depends on the input's runtime shape (only an RNN's zero initial state may)");
  return v;
}

void ImportGraph::setOut(const onnx::NodeProto& n, Value v, int i) {
  if (i >= n.output_size()) fail(n, "has no output " + std::to_string(i));
  if (!v.isConst) ++views_[v.node];
  values_[n.output(i)] = std::move(v);
}

void ImportGraph::setFoldedOut(const onnx::NodeProto& n, int xi, Value v) {
  --views_[value(n.input(xi)).node];
  setOut(n, std::move(v));
}

// ---- attributes ----------------------------------------------------------------------------

const onnx::AttributeProto* ImportGraph::attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t ImportGraph::intAttr(const onnx::NodeProto& n, const char* name, std::int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}

float ImportGraph::floatAttr(const onnx::NodeProto& n, const char* name, float def) {
  const auto* a = attr(n, name);
  return a ? a->f() : def;
}

std::string ImportGraph::stringAttr(const onnx::NodeProto& n, const char* name,
                                    const std::string& def) {
  const auto* a = attr(n, name);
  return a ? a->s() : def;
}

std::vector<Index> ImportGraph::intsAttr(const onnx::NodeProto& n, const char* name) {
  std::vector<Index> out;
  if (const auto* a = attr(n, name))
    for (auto v : a->ints()) out.push_back(v);
  return out;
}

// ---- the Keras side ------------------------------------------------------------------------

std::string ImportGraph::addLayer(const std::string& className, const std::string& base,
                                  json config, const std::vector<std::string>& inputs) {
  std::string b = sanitize(base);
  if (b.empty()) b = ModelSpec::defaultBaseName(className);
  NodeSpec node;
  node.name = spec_.uniqueName(b);
  node.className = className;
  config["name"] = node.name;
  node.config = std::move(config);
  for (size_t p = 0; p < inputs.size(); ++p) {
    auto [producer, k] = splitTensorKey(inputs[p]);
    node.inputs.push_back(producer);
    if (k) node.setInputTensor(p, k);
  }
  spec_.nodes.push_back(std::move(node));
  return spec_.nodes.back().name;
}

NodeSpec& ImportGraph::layer(const std::string& key) {
  const std::string name = splitTensorKey(key).first;
  NodeSpec* n = spec_.find(name);
  if (!n) throw Error("ONNX import: internal: no layer '" + name + "'");
  return *n;
}

void ImportGraph::renameLayer(const std::string& from, const std::string& base) {
  const std::string to = sanitize(base);
  if (to.empty() || to == from || spec_.find(to)) return;
  NodeSpec& node = layer(from);
  node.name = to;
  node.config["name"] = to;
  for (auto& n : spec_.nodes)
    for (auto& i : n.inputs)
      if (i == from) i = to;
  for (auto& [tensor, v] : values_) {
    if (v.isConst) continue;
    auto [producer, k] = splitTensorKey(v.node);
    if (producer == from) v.node = tensorKey(to, k);
  }
  views_[to] = views_[from];
  views_.erase(from);
  std::map<std::string, Tensor> renamed;
  for (auto& [name, t] : weights_)
    renamed[name.rfind(from + "/", 0) == 0 ? to + name.substr(from.size()) : name] = std::move(t);
  weights_ = std::move(renamed);
  shapes_.erase(from);
}

void ImportGraph::setWeight(const std::string& layer, const std::string& var, Tensor t) {
  weights_[layer + "/" + var] = std::move(t);
}

Tensor& ImportGraph::weight(const std::string& layer, const std::string& var) {
  auto it = weights_.find(layer + "/" + var);
  if (it == weights_.end()) throw Error("ONNX import: internal: no weight " + layer + "/" + var);
  return it->second;
}

bool ImportGraph::hasWeight(const std::string& layer, const std::string& var) const {
  return weights_.count(layer + "/" + var) > 0;
}

bool ImportGraph::used(const std::string& tensor) const {
  auto it = consumers_.find(tensor);
  return (it != consumers_.end() && it->second > 0) || graphOutputs_.count(tensor) > 0;
}

const Shape& ImportGraph::kerasShape(const std::string& key) {
  auto it = shapes_.find(key);
  if (it != shapes_.end()) return it->second;
  const auto [layer, k] = splitTensorKey(key);
  ModelSpec s = spec_;
  s.outputs = {layer};
  s.outputTensors.clear();
  ShapeReport report = inferShapes(s);
  const NodeShapes* ns = report.find(layer);
  if (!ns || !ns->outputAt(static_cast<size_t>(k))) {
    for (const auto& e : report.errors)
      if (e.node() == layer || report.errors.size() == 1)
        throw Error("ONNX import: " + std::string(e.what()));
    throw Error("ONNX import: the shape of layer '" + layer + "' cannot be inferred" +
                (report.errors.empty() ? "" : ": " + std::string(report.errors.front().what())));
  }
  return shapes_[key] = *ns->outputAt(static_cast<size_t>(k));
}

Shape ImportGraph::onnxShape(const Value& v) {
  Shape s = kerasShape(v.node);
  if (v.layout == Layout::ChannelsFirst && s.size() >= 3) {
    Index c = s.back();
    s.pop_back();
    s.insert(s.begin() + 1, c);
  }
  if (v.layout == Layout::TimeMajor && s.size() == 3) std::swap(s[0], s[1]);
  return s;
}

size_t ImportGraph::rank(const Value& v) {
  if (v.rnn) return (v.rnn->which == 0 ? 3u : 2u) + (v.rnn->dirAxis ? 1u : 0u);
  if (v.stateView) return 3;
  return v.isConst ? v.dims.size() : kerasShape(v.node).size();
}

bool ImportGraph::foldable(const onnx::NodeProto& n, int i) {
  const std::string& t = n.input(i);
  const Value& v = value(t);
  if (v.isConst || graphOutputs_.count(t) || consumers_[t] != 1 || views_[v.node] != 1)
    return false;
  const NodeSpec& l = layer(v.node);
  if (l.isInput()) return false;
  for (const auto& other : spec_.nodes)
    for (const auto& input : other.inputs)
      if (input == v.node) return false;
  return true;
}

std::string ImportGraph::nameFor(const onnx::NodeProto& n, const std::string& fallback) const {
  for (int i = 1; i < n.input_size(); ++i) {
    const std::string& w = n.input(i);
    if (!values_.count(w) || !values_.at(w).isConst) continue;
    size_t cut = w.find_last_of("/.");
    if (cut != std::string::npos && cut > 0 && !sanitize(w.substr(0, cut)).empty())
      return w.substr(0, cut);
  }
  if (n.output_size() && !n.output(0).empty() && n.output(0).front() != '/' &&
      !sanitize(n.output(0)).empty())
    return n.output(0);
  // PyTorch names nodes "/features/conv1/Conv": the module path.
  std::string name = n.name();
  if (!name.empty() && name.front() == '/') {
    size_t cut = name.find_last_of('/');
    name = name.substr(0, cut);
  }
  return sanitize(name).empty() ? fallback : name;
}

// ---- building ------------------------------------------------------------------------------

void ImportGraph::readInitializers() {
  for (const auto& t : graph_.initializer()) values_[t.name()] = constantOf(t);
}

// "cf" when the input reaches a channels-first operator through elementwise ones, "keras" when
// it reaches a Transpose to channels-first (our exporter), "" when nothing tells.
std::string ImportGraph::inputLayout(const std::string& tensor) const {
  static const std::set<std::string> cf = {
      "Conv", "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool", "BatchNormalization"};
  static const std::set<std::string> pass = {"Relu",     "Sigmoid",  "Tanh", "Elu",         "Selu",
                                             "Softplus", "Softsign", "Exp",  "HardSigmoid", "Clip",
                                             "Identity", "Dropout",  "Add",  "Sub",         "Mul",
                                             "Mean",     "Max",      "Min",  "LeakyRelu"};
  std::vector<std::string> todo = {tensor};
  std::set<std::string> seen;
  while (!todo.empty()) {
    std::string cur = todo.back();
    todo.pop_back();
    if (!seen.insert(cur).second) continue;
    for (const auto& n : graph_.node())
      for (int i = 0; i < n.input_size(); ++i) {
        if (n.input(i) != cur) continue;
        if (cf.count(n.op_type()) && i == 0) return "cf";
        if (n.op_type() == "Transpose") {
          auto perm = intsAttr(n, "perm");
          const Index r = static_cast<Index>(perm.size());
          if (r >= 3 && perm[0] == 0 && perm[1] == r - 1) {
            bool toCf = true;
            for (Index k = 2; k < r; ++k) toCf = toCf && perm[k] == k - 1;
            if (toCf) return "keras";
          }
        }
        if (pass.count(n.op_type()) && n.output_size()) todo.push_back(n.output(0));
      }
  }
  return "";
}

void ImportGraph::declareInputs() {
  std::vector<std::string> unknown;
  for (const auto& in : graph_.input()) {
    if (values_.count(in.name())) continue;  // an initializer listed as input (IR < 4)
    if (!in.type().has_tensor_type())
      throw Error("ONNX import: graph input '" + in.name() + "' is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT)
      throw Error("ONNX import: graph input '" + in.name() + "' has element type " +
                  std::to_string(tt.elem_type()) + " (float32 inputs are imported)");
    if (!tt.has_shape() || tt.shape().dim_size() < 2)
      throw Error("ONNX import: graph input '" + in.name() +
                  "' needs a shape with a batch dimension and at least one more");
    Shape s = {kNone};
    for (int i = 1; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      s.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : kNone);
    }
    Value v;
    if (s.size() >= 3 && !kerasInputs_) {
      const std::string how = inputLayout(in.name());
      if (how.empty()) unknown.push_back(in.name());
      if (how == "cf") {
        v.layout = Layout::ChannelsFirst;
        Index c = s[1];
        s.erase(s.begin() + 1);
        s.push_back(c);
      }
    }
    std::string base = sanitize(in.name()).empty() ? "input" : in.name();
    std::string name = spec_.uniqueName(sanitize(base).empty() ? "input" : sanitize(base));
    spec_.nodes.push_back(makeInputLayerNode(name, s));
    spec_.inputs.push_back(name);
    v.node = name;
    ++views_[name];
    values_[in.name()] = std::move(v);
  }
  if (spec_.inputs.empty()) throw Error("ONNX import: the graph has no input");
  if (unknown.size() > 1) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "'" : ", '") + u + "'";
    throw Error("ONNX import: " + std::to_string(unknown.size()) + " graph inputs (" + list +
                ") have an unknown layout: nothing in the graph tells whether they are NCHW or "
                "NHWC");
  }
}

void ImportGraph::finish(ModelFile& out) {
  for (const auto& o : graph_.output()) {
    auto it = values_.find(o.name());
    if (it == values_.end())
      throw Error("ONNX import: graph output '" + o.name() + "' is not produced by any node");
    const Value& v = it->second;
    if (v.isConst) throw Error("ONNX import: graph output '" + o.name() + "' is a constant");
    if (v.rnn)
      throw Error("ONNX import: graph output '" + o.name() +
                  "' is a recurrent node's output with its num_directions axis (" +
                  (v.rnn->which == 0 ? "T, dirs, N, units" : "dirs, N, units") +
                  "); Keras outputs are batch-first: Squeeze or Gather the direction (and "
                  "Transpose Y to batch-first) before the graph output");
    if (v.ids) throw Error("ONNX import: graph output '" + o.name() + "' is cast to integers");
    if (v.layout == Layout::TimeMajor || v.reversed || v.stateView)
      throw Error("ONNX import: graph output '" + o.name() + "' is " +
                  (v.reversed    ? "time-reversed"
                   : v.stateView ? "a (1, N, units) state view"
                                 : "time-major (T, N, F)") +
                  "; the Keras model would give it batch-first in time order");
    if (v.layout == Layout::ChannelsFirst && kerasShape(v.node).size() >= 3)
      throw Error("ONNX import: graph output '" + o.name() +
                  "' is channels-first (NCHW); the Keras model would give it channels_last");
    if (!v.flatPerm.empty())
      throw Error("ONNX import: graph output '" + o.name() +
                  "' flattens channels-first features: Keras's element order would differ");
    const auto [producer, k] = splitTensorKey(v.node);
    for (size_t i = 0; i < spec_.outputs.size(); ++i)
      if (spec_.outputs[i] == producer && spec_.outputTensor(i) == k)
        throw Error("ONNX import: graph output '" + o.name() + "' repeats another output");
    spec_.outputs.push_back(producer);
    if (k) spec_.setOutputTensor(spec_.outputs.size() - 1, k);
  }
  if (spec_.outputs.empty()) throw Error("ONNX import: the graph has no output");
  foldBidirectionalMerges(spec_);
  ShapeReport report = inferShapes(spec_);
  if (!report.ok()) throw Error("ONNX import: " + std::string(report.errors.front().what()));
  Model model(spec_, 0);
  NamedWeights given;
  for (auto& [name, t] : weights_) given.emplace_back(name, t);
  model.loadNamedWeights(given);
  out.spec = spec_;
  for (auto& [name, var] : model.namedWeights()) out.weights.emplace_back(name, var->value);
  if (out.weights.size() != given.size())
    throw Error("ONNX import: internal: " + std::to_string(given.size()) + " weights made, " +
                std::to_string(out.weights.size()) + " used by the model");
}

ModelFile ImportGraph::build() {
  // Every operator we cannot import, listed at once.
  const auto& ops = importOps();
  std::vector<std::string> missing;
  for (const auto& n : graph_.node()) {
    const bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
    if (!defaultDomain || !ops.count(n.op_type()) || listedUnsupported(graph_, n))
      missing.push_back("'" + (defaultDomain ? n.op_type() : n.domain() + "." + n.op_type()) +
                        "' (node '" + nodeLabel(n) + "')");
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error("ONNX import: " + std::to_string(missing.size()) +
                (missing.size() == 1 ? " ONNX node is" : " ONNX nodes are") +
                " not supported: " + list + "; nothing was imported");
  }
  readInitializers();
  for (const auto& n : graph_.node())
    for (const auto& i : n.input())
      if (!i.empty()) ++consumers_[i];
  for (const auto& o : graph_.output()) graphOutputs_.insert(o.name());
  declareInputs();
  for (const auto& n : graph_.node()) ops.at(n.op_type())(*this, n);
  ModelFile out;
  finish(out);
  return out;
}

}  // namespace tessel::onnximport
