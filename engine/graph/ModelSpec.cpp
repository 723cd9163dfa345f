#include "engine/graph/ModelSpec.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <unordered_set>

#include "engine/core/Error.h"
#include "engine/graph/Blocks.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

bool NodeSpec::isInput() const {
  return LayerRegistry::instance().isInput(className);
}

const NodeSpec* ModelSpec::find(const std::string& nodeName) const {
  for (const auto& n : nodes)
    if (n.name == nodeName) return &n;
  return nullptr;
}

NodeSpec* ModelSpec::find(const std::string& nodeName) {
  for (auto& n : nodes)
    if (n.name == nodeName) return &n;
  return nullptr;
}

std::string ModelSpec::uniqueName(const std::string& base) const {
  std::unordered_set<std::string> used;
  for (const auto& n : nodes) used.insert(n.name);
  // Keras 2 names Input()/InputLayer from 1 ("input_1", "input_2"); every other layer from 0
  // ("dense", "dense_1").
  if (base == "input") {
    for (int i = 1;; ++i) {
      std::string name = base + "_" + std::to_string(i);
      if (!used.count(name)) return name;
    }
  }
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string name = base + "_" + std::to_string(i);
    if (!used.count(name)) return name;
  }
}

std::string ModelSpec::defaultBaseName(const std::string& className) {
  if (className == "InputLayer") return "input";
  // Keras generic_utils.to_snake_case: two regex passes, then lower case.
  static const std::regex first("(.)([A-Z][a-z0-9]+)");
  static const std::regex second("([a-z])([A-Z])");
  std::string s = std::regex_replace(className, first, "$1_$2");
  s = std::regex_replace(s, second, "$1_$2");
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.empty() && s[0] == '_') s = "private" + s;
  return s;
}

namespace {

json parseMaybeString(const json& v, const char* what) {
  if (!v.is_string()) return v;
  try {
    return json::parse(v.get<std::string>());
  } catch (const json::exception&) {
    throw Error(std::string("model JSON: '") + what + "' is a string that is not valid JSON");
  }
}

// A tensor reference: producer layer and which of its outputs (Keras tensor_index).
struct TensorRef {
  std::string name;
  int tensor = 0;
};

// One entry of input_layers/output_layers/inbound_nodes: ["name", 0, 0] or "name".
TensorRef tensorRef(const json& ref, const char* key) {
  if (ref.is_string()) return {ref.get<std::string>(), 0};
  if (ref.is_array() && !ref.empty() && ref[0].is_string()) {
    if (ref.size() >= 2 && ref[1].is_number_integer() && ref[1].get<long long>() != 0)
      throw Error(std::string("model JSON: '") + key + "' refers to call " + ref[1].dump() +
                  " of layer '" + ref[0].get<std::string>() +
                  "' (shared layers are not supported)");
    int tensor = 0;
    if (ref.size() >= 3 && ref[2].is_number_integer()) {
      const long long t = ref[2].get<long long>();
      if (t < 0 || t > 64)
        throw Error(std::string("model JSON: '") + key + "' refers to output " + ref[2].dump() +
                    " of layer '" + ref[0].get<std::string>() + "'");
      tensor = static_cast<int>(t);
    }
    return {ref[0].get<std::string>(), tensor};
  }
  throw Error(std::string("model JSON: bad entry in '") + key + "': " + ref.dump());
}

void pushRef(const TensorRef& r, std::vector<std::string>& names, std::vector<int>& tensors) {
  if (r.tensor != 0) tensors.resize(names.size(), 0), tensors.push_back(r.tensor);
  names.push_back(r.name);
}

// input_layers / output_layers: [["a", 0, 0], ...], a single ["a", 0, 0] (Keras 3 single input),
// or a dict {"key": ["a", 0, 0]} (Keras 2 dict inputs).
void tensorRefList(const json& v, const char* key, std::vector<std::string>& names,
                   std::vector<int>& tensors) {
  if (v.is_null()) return;
  if (v.is_array() && !v.empty() && v[0].is_string()) {
    pushRef(tensorRef(v, key), names, tensors);
    return;
  }
  if (v.is_array() || v.is_object()) {
    for (const auto& e : v) {
      if (e.is_array() && !e.empty() && e[0].is_array()) {
        for (const auto& f : e) pushRef(tensorRef(f, key), names, tensors);
      } else {
        pushRef(tensorRef(e, key), names, tensors);
      }
    }
    return;
  }
  throw Error(std::string("model JSON: '") + key + "' must be a list");
}

// Keras 3 call arguments: collect keras_history of every __keras_tensor__ in `args`, in order.
void collectKerasHistory(const json& v, NodeSpec& node, int depth = 0) {
  if (depth > 32)
    throw Error("model JSON: layer '" + node.name + "': call arguments nested deeper than 32");
  if (v.is_array()) {
    for (const auto& e : v) collectKerasHistory(e, node, depth + 1);
  } else if (v.is_object()) {
    auto cn = v.find("class_name");
    if (cn != v.end() && *cn == "__keras_tensor__") {
      auto cfg = v.find("config");
      if (cfg == v.end() || !cfg->is_object() || !cfg->contains("keras_history"))
        throw Error("model JSON: layer '" + node.name +
                    "': a __keras_tensor__ argument without config.keras_history");
      pushRef(tensorRef((*cfg)["keras_history"], "inbound_nodes"), node.inputs, node.inputTensors);
      return;
    }
    for (const auto& e : v) collectKerasHistory(e, node, depth + 1);
  }
}

// The call's keyword arguments: Keras 3 {"args", "kwargs"} node's kwargs, or the union of the
// Keras 2 entries' fourth element ([layer, node, tensor, kwargs]). Null when there are none.
json inboundKwargs(const json& inbound) {
  if (!inbound.is_array() || inbound.size() != 1) return json();
  const json& node = inbound[0];
  if (node.is_object()) return node.value("kwargs", json());
  json out = json::object();
  if (node.is_array())
    for (const auto& entry : node)
      if (entry.is_array() && entry.size() > 3 && entry[3].is_object()) out.update(entry[3]);
  return out;
}

// Tensors passed by keyword (layer(query, value=v, key=k), as Keras 2 serializes
// MultiHeadAttention's value and key; rnn(x, initial_state=[h, c]) as Keras 3 does) appended in
// call order, and the layer's Keras call arguments (LayerInfo::callArguments: use_causal_mask)
// read into its config.
void readCallKwargs(const json& kwargs, NodeSpec& node) {
  if (!kwargs.is_object() || kwargs.empty()) return;
  for (const char* key : {"query", "value", "key", "initial_state"}) {
    auto it = kwargs.find(key);
    if (it == kwargs.end() || it->is_null()) continue;
    if (it->is_array() && !it->empty() && (*it)[0].is_string())
      pushRef(tensorRef(*it, "inbound_nodes"), node.inputs, node.inputTensors);
    else
      collectKerasHistory(*it, node);
  }
  if (const LayerInfo* info = LayerRegistry::instance().find(node.className))
    for (const std::string& key : info->callArguments)
      if (kwargs.contains(key) && !node.config.contains(key)) node.config[key] = kwargs[key];
}

void parseInboundNodes(const json& inbound, NodeSpec& out) {
  const std::string& layer = out.name;
  if (inbound.is_null()) return;
  if (!inbound.is_array())
    throw Error("model JSON: layer '" + layer + "': 'inbound_nodes' must be a list");
  if (inbound.size() > 1)
    throw Error("model JSON: layer '" + layer + "' is called " + std::to_string(inbound.size()) +
                " times; shared layers are not supported (give each call its own layer)");
  if (inbound.empty()) return;
  const json& node = inbound[0];
  if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
    collectKerasHistory(node.value("args", json::array()), out);
    return;
  }
  if (!node.is_array())
    throw Error("model JSON: layer '" + layer + "': bad inbound node " + node.dump());
  for (const auto& entry : node)
    pushRef(tensorRef(entry, "inbound_nodes"), out.inputs, out.inputTensors);
}

// Keras 3 (and Keras >= 2.13) serialise nested objects as {"module", "class_name", "config",
// "registered_name"}: drop "module"/"registered_name" so both forms give the same spec.
void stripSerializationKeys(json& v) {
  if (v.is_array()) {
    for (auto& e : v) stripSerializationKeys(e);
    return;
  }
  if (!v.is_object()) return;
  if (v.contains("class_name")) {
    v.erase("module");
    v.erase("registered_name");
  }
  for (auto it = v.begin(); it != v.end(); ++it) stripSerializationKeys(it.value());
}

}  // namespace

json normalizeLayerConfig(const std::string& className, const json& configIn) {
  if (!configIn.is_object()) return configIn;
  json config = configIn;
  for (auto it = config.begin(); it != config.end(); ++it) stripSerializationKeys(it.value());
  // Keras 3 dtype policy {"class_name": "DTypePolicy", "config": {"name": "float32"}}: the
  // Keras 2 form is the policy's name.
  if (config.contains("dtype") && config["dtype"].is_object()) {
    const json& d = config["dtype"];
    if (d.contains("config") && d["config"].is_object() && d["config"].contains("name") &&
        d["config"]["name"].is_string())
      config["dtype"] = d["config"]["name"];
  }
  if (className == "InputLayer") {
    // Keras 3 "batch_shape" is Keras 2's "batch_input_shape"; the spec keeps the Keras 2 key.
    if (config.contains("batch_shape") && !config.contains("batch_input_shape")) {
      config["batch_input_shape"] = config["batch_shape"];
      config.erase("batch_shape");
    }
    if (config.contains("optional") && config["optional"] == false) config.erase("optional");
  }
  // A wrapped layer (TimeDistributed, Bidirectional): its config in the same form.
  if (config.contains("layer") && config["layer"].is_object() &&
      config["layer"].contains("class_name") && config["layer"]["class_name"].is_string() &&
      config["layer"].contains("config")) {
    json& l = config["layer"];
    l.erase("build_config");
    l["config"] = normalizeLayerConfig(l["class_name"].get<std::string>(), l["config"]);
  }
  // Keras 3 recurrent layers write a dropout "seed" Keras 2 lacks; null is Keras 2's behaviour.
  if ((className == "LSTM" || className == "GRU" || className == "SimpleRNN") &&
      config.contains("seed") && config["seed"].is_null())
    config.erase("seed");
  // Keras 3 only keys that are at their "off" value carry nothing Keras 2 lacks.
  for (const char* key : {"lora_rank", "lora_alpha", "quantization_config"})
    if (config.contains(key) && config[key].is_null()) config.erase(key);
  return config;
}

namespace {

void addNode(ModelSpec& spec, std::unordered_set<std::string>& names, NodeSpec node) {
  if (!names.insert(node.name).second)
    throw Error("model JSON: two layers are named '" + node.name + "'");
  spec.nodes.push_back(std::move(node));
}

ModelSpec parseFunctional(const json& configIn) {
  if (!configIn.is_object()) throw Error("model JSON: functional 'config' must be an object");
  const json config =
      nestedModelCallIndices(configIn, 0);  // Keras numbers a nested model's calls from 1
  ModelSpec spec;
  spec.name = config.value("name", std::string("model"));
  const json& layers = config.contains("layers") ? config["layers"] : json();
  if (!layers.is_array()) throw Error("model JSON: functional config has no 'layers' list");
  std::unordered_set<std::string> names;
  for (const auto& l : layers) {
    if (!l.is_object() || !l.contains("class_name") || !l["class_name"].is_string())
      throw Error("model JSON: a layer entry has no 'class_name'");
    NodeSpec node;
    node.className = l["class_name"];
    node.config = l.contains("config") ? l["config"] : json::object();
    if (!node.config.is_object())
      throw Error("model JSON: layer of class '" + node.className + "' has a non-object config");
    node.config = normalizeLayerConfig(node.className, node.config);
    if (l.contains("name") && l["name"].is_string())
      node.name = l["name"];
    else if (node.config.contains("name") && node.config["name"].is_string())
      node.name = node.config["name"];
    else
      throw Error("model JSON: a layer of class '" + node.className + "' has no name");
    if (!node.config.contains("name")) node.config["name"] = node.name;
    const json inbound = l.contains("inbound_nodes") ? l["inbound_nodes"] : json();
    parseInboundNodes(inbound, node);
    readCallKwargs(inboundKwargs(inbound), node);
    addNode(spec, names, std::move(node));
  }
  std::vector<int> inputTensors;
  tensorRefList(config.contains("input_layers") ? config["input_layers"] : json(), "input_layers",
                spec.inputs, inputTensors);
  tensorRefList(config.contains("output_layers") ? config["output_layers"] : json(),
                "output_layers", spec.outputs, spec.outputTensors);
  return spec;
}

// Batch shape stated on a Sequential's first layer (Keras 2 / TF.js "batch_input_shape",
// Keras 3 "batch_shape", or "input_shape" / "input_dim").
json firstLayerBatchShape(const json& cfg) {
  if (cfg.contains("batch_input_shape") && cfg["batch_input_shape"].is_array())
    return cfg["batch_input_shape"];
  if (cfg.contains("batch_shape") && cfg["batch_shape"].is_array()) return cfg["batch_shape"];
  json batch = cfg.contains("batch_size") ? cfg["batch_size"] : json();
  if (cfg.contains("input_shape") && cfg["input_shape"].is_array()) {
    json s = json::array({batch});
    for (const auto& d : cfg["input_shape"]) s.push_back(d);
    return s;
  }
  if (cfg.contains("input_dim") && cfg["input_dim"].is_number_integer())
    return json::array({batch, cfg["input_dim"]});
  return json();
}

ModelSpec parseSequential(const json& config) {
  ModelSpec spec;
  json layers;
  json buildShape;
  if (config.is_array()) {  // old Keras: "config" is the layer list itself
    spec.name = "sequential";
    layers = config;
  } else if (config.is_object()) {
    spec.name = config.value("name", std::string("sequential"));
    layers = config.contains("layers") ? config["layers"] : json();
    if (config.contains("build_input_shape")) buildShape = config["build_input_shape"];
  }
  if (!layers.is_array() || layers.empty())
    throw Error("model JSON: Sequential model '" + spec.name + "' has no layers");
  std::unordered_set<std::string> names;
  std::string previous;
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    if (!l.is_object() || !l.contains("class_name") || !l["class_name"].is_string())
      throw Error("model JSON: a layer entry of Sequential '" + spec.name + "' has no class_name");
    NodeSpec node;
    node.className = l["class_name"];
    node.config = l.contains("config") ? l["config"] : json::object();
    if (!node.config.is_object())
      throw Error("model JSON: layer of class '" + node.className + "' has a non-object config");
    node.config = normalizeLayerConfig(node.className, node.config);
    if (node.config.contains("name") && node.config["name"].is_string())
      node.name = node.config["name"];
    else if (l.contains("name") && l["name"].is_string())
      node.name = l["name"];
    else
      node.name = spec.uniqueName(ModelSpec::defaultBaseName(node.className));
    node.config["name"] = node.name;
    if (i == 0 && !node.isInput()) {
      json shape = firstLayerBatchShape(node.config);
      if (shape.is_null() && buildShape.is_array()) shape = buildShape;
      if (shape.is_null())
        throw Error("model JSON: Sequential model '" + spec.name + "' has no input shape (its " +
                    "first layer '" + node.name + "' has no batch_input_shape)");
      // Keras 2 Sequential names the implicit input "<first layer>_input".
      NodeSpec input;
      input.name = node.name + "_input";
      input.className = "InputLayer";
      input.config = {{"batch_input_shape", shape},
                      {"dtype", node.config.value("dtype", json("float32"))},
                      {"sparse", false},
                      {"ragged", false},
                      {"name", input.name}};
      if (!input.config["dtype"].is_string()) input.config["dtype"] = "float32";
      previous = input.name;
      spec.inputs.push_back(input.name);
      addNode(spec, names, std::move(input));
    }
    if (node.isInput()) {
      if (i != 0)
        throw Error("model JSON: Sequential model '" + spec.name +
                    "' has an InputLayer that is not its first layer");
      spec.inputs.push_back(node.name);
    } else {
      node.inputs = {previous};
    }
    previous = node.name;
    addNode(spec, names, std::move(node));
  }
  spec.outputs = {previous};
  return spec;
}

}  // namespace

ModelSpec ModelSpec::fromKerasJson(const json& topologyIn) {
  json topology = parseMaybeString(topologyIn, "topology");
  if (!topology.is_object()) throw Error("model JSON: expected an object");
  // A whole TF.js model.json, or a converter topology {"model_config": ..., "training_config"}.
  if (topology.contains("modelTopology"))
    return fromKerasJson(parseMaybeString(topology["modelTopology"], "modelTopology"));
  if (topology.contains("model_config"))
    return fromKerasJson(parseMaybeString(topology["model_config"], "model_config"));
  if (!topology.contains("class_name") || !topology["class_name"].is_string())
    throw Error("model JSON: no 'class_name' (expected a Keras model topology)");
  std::string cls = topology["class_name"];
  const json& config = topology.contains("config") ? topology["config"] : json();
  if (cls == "Sequential" || cls == "Functional" || cls == "Model") {
    ModelSpec spec = cls == "Sequential" ? parseSequential(config) : parseFunctional(config);
    // Nested models become blocks of the flat graph; Tessel's own block metadata is read back.
    spec = expandNestedModels(std::move(spec));
    if (topology.contains("tessel_groups"))
      restoreBlocks(spec, blocksFromJson(topology["tessel_groups"]));
    return spec;
  }
  throw Error("model JSON: unsupported model class '" + cls +
              "' (expected Functional, Model or Sequential)");
}

json ModelSpec::toKerasJson() const {
  json layers = json::array();
  for (const auto& n : nodes) {
    json cfg = n.config.is_object() ? n.config : json::object();
    cfg["name"] = n.name;
    json inbound = json::array();
    if (!n.inputs.empty()) {
      // Keras call arguments kept in the config (use_causal_mask) are written as call kwargs.
      json kwargs = json::object();
      const LayerInfo* info = LayerRegistry::instance().find(n.className);
      if (info)
        for (const std::string& key : info->callArguments)
          if (cfg.contains(key)) {
            kwargs[key] = cfg[key];
            cfg.erase(key);
          }
      json call = json::array();
      if (info && info->callInputsAsArguments) {  // layer(query, value=..., key=...)
        const char* names[] = {"value", "key"};
        for (size_t i = 1; i < n.inputs.size() && i < 3; ++i)
          kwargs[names[i - 1]] = json::array({n.inputs[i], 0, n.inputTensor(i)});
        call.push_back(json::array({n.inputs[0], 0, n.inputTensor(0), kwargs}));
      } else {
        for (size_t i = 0; i < n.inputs.size(); ++i)
          call.push_back(json::array({n.inputs[i], 0, n.inputTensor(i), kwargs}));
      }
      inbound.push_back(std::move(call));
    }
    layers.push_back({{"class_name", n.className},
                      {"config", std::move(cfg)},
                      {"name", n.name},
                      {"inbound_nodes", std::move(inbound)}});
  }
  json ins = json::array(), outs = json::array();
  for (const auto& i : inputs) ins.push_back(json::array({i, 0, 0}));
  for (size_t i = 0; i < outputs.size(); ++i)
    outs.push_back(json::array({outputs[i], 0, outputTensor(i)}));
  json out = {{"class_name", "Functional"},
              {"config",
               {{"name", name},
                {"layers", std::move(layers)},
                {"input_layers", std::move(ins)},
                {"output_layers", std::move(outs)}}}};
  if (!groups.empty()) out["tessel_groups"] = blocksToJson(groups);  // Keras ignores it
  return out;
}

namespace {

// Tensor index lists compare equal when they differ only by trailing zeros.
bool sameTensors(const std::vector<int>& a, const std::vector<int>& b) {
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if ((i < a.size() ? a[i] : 0) != (i < b.size() ? b[i] : 0)) return false;
  return true;
}

void setTensor(std::vector<int>& v, size_t i, int tensor) {
  if (tensor != 0 && v.size() <= i) v.resize(i + 1, 0);
  if (i < v.size()) v[i] = tensor;
  while (!v.empty() && v.back() == 0) v.pop_back();
}

}  // namespace

void NodeSpec::setInputTensor(size_t port, int tensor) {
  setTensor(inputTensors, port, tensor);
}

void NodeSpec::eraseInput(size_t port) {
  if (port < inputs.size()) inputs.erase(inputs.begin() + static_cast<std::ptrdiff_t>(port));
  if (port < inputTensors.size())
    inputTensors.erase(inputTensors.begin() + static_cast<std::ptrdiff_t>(port));
  setTensor(inputTensors, 0, inputTensor(0));  // trims trailing zeros
}

void NodeSpec::insertInput(size_t port, const std::string& producer, int tensor) {
  port = std::min(port, inputs.size());
  inputs.insert(inputs.begin() + static_cast<std::ptrdiff_t>(port), producer);
  if (port < inputTensors.size())
    inputTensors.insert(inputTensors.begin() + static_cast<std::ptrdiff_t>(port), 0);
  setInputTensor(port, tensor);
}

void ModelSpec::setOutputTensor(size_t i, int tensor) {
  setTensor(outputTensors, i, tensor);
}

std::vector<std::string> nodeOutputNames(const NodeSpec& node) {
  if (node.isInput()) return {"output"};
  try {
    return LayerRegistry::instance().create(node.className, node.config, node.name)->outputNames();
  } catch (const std::exception&) {
    return {"output"};
  }
}

bool ModelSpec::operator==(const ModelSpec& o) const {
  if (name != o.name || inputs != o.inputs || outputs != o.outputs ||
      !sameTensors(outputTensors, o.outputTensors) || nodes.size() != o.nodes.size() ||
      groups != o.groups)
    return false;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto &a = nodes[i], &b = o.nodes[i];
    if (a.name != b.name || a.className != b.className || a.config != b.config ||
        a.inputs != b.inputs || !sameTensors(a.inputTensors, b.inputTensors))
      return false;
  }
  return true;
}

NodeSpec makeInputLayerNode(const std::string& name, const Shape& batchShape) {
  json shape = json::array();
  for (size_t i = 0; i < batchShape.size(); ++i)
    shape.push_back(batchShape[i] == kNone ? json() : json(batchShape[i]));
  NodeSpec n;
  n.name = name;
  n.className = "InputLayer";
  n.config = {{"batch_input_shape", std::move(shape)},
              {"dtype", "float32"},
              {"sparse", false},
              {"ragged", false},
              {"name", name}};
  return n;
}

Shape inputLayerShape(const NodeSpec& node) {
  const json& c = node.config;
  auto bad = [&](const std::string& why) {
    throw SpecError(SpecErrorKind::BadValue, node.name, why);
  };
  auto toShape = [&](const json& v, const char* key, bool hasBatch) {
    if (!v.is_array()) bad(std::string("'") + key + "' must be a list of integers or null");
    Shape s;
    if (!hasBatch) {
      json b = c.contains("batch_size") ? c["batch_size"] : json();
      s.push_back(b.is_number_integer() ? b.get<Index>() : kNone);
    }
    for (const auto& d : v) {
      if (d.is_null()) {
        s.push_back(kNone);
      } else if (d.is_number_integer() && d.get<long long>() >= 0) {
        s.push_back(d.get<Index>());
      } else {
        bad(std::string("'") + key + "' = " + v.dump() + ": dimensions must be integers or null");
      }
    }
    if (s.size() < 2) bad(std::string("'") + key + "' = " + v.dump() + ": needs at least 1 axis");
    return s;
  };
  if (c.is_object()) {
    if (c.contains("batch_input_shape") && !c["batch_input_shape"].is_null())
      return toShape(c["batch_input_shape"], "batch_input_shape", true);
    if (c.contains("batch_shape") && !c["batch_shape"].is_null())
      return toShape(c["batch_shape"], "batch_shape", true);
    if (c.contains("input_shape") && !c["input_shape"].is_null())
      return toShape(c["input_shape"], "input_shape", false);
    if (c.contains("shape") && !c["shape"].is_null()) return toShape(c["shape"], "shape", false);
  }
  bad("InputLayer has no shape (set batch_input_shape)");
  return {};
}

}  // namespace tessel
