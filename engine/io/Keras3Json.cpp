#include "engine/io/Keras3Json.h"

#include <functional>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/Blocks.h"
#include "engine/graph/LayerOrder.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

namespace {

json shapeJson(const std::optional<Shape>& shape) {
  if (!shape) return nullptr;
  json out = json::array();
  for (Index d : *shape) out.push_back(d == kNone ? json() : json(d));
  return out;
}

// {"module": module, "class_name", "config", "registered_name": null} for a nested Keras object
// ({"class_name", "config"} in Keras 2 form); anything else (a name string, null) unchanged.
json serialized(const json& v, const char* module) {
  if (!v.is_object() || !v.contains("class_name")) return v;
  json out = {{"module", module}, {"class_name", v["class_name"]}};
  out["config"] = v.contains("config") ? v["config"] : json::object();
  out["registered_name"] = nullptr;
  return out;
}

json dtypePolicy(const std::string& name) {
  return {{"module", "keras"},
          {"class_name", "DTypePolicy"},
          {"config", {{"name", name}}},
          {"registered_name", nullptr}};
}

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

json keras3Config(const NodeSpec& node) {
  json cfg = node.config.is_object() ? node.config : json::object();
  cfg["name"] = node.name;
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    const std::string& key = it.key();
    if (endsWith(key, "_initializer"))
      it.value() = serialized(it.value(), "keras.initializers");
    else if (endsWith(key, "_regularizer"))
      it.value() = serialized(it.value(), "keras.regularizers");
    else if (endsWith(key, "_constraint"))
      it.value() = serialized(it.value(), "keras.constraints");
  }
  if (node.isInput()) {
    // Keras 3 InputLayer: "batch_shape" and a plain dtype string.
    if (cfg.contains("batch_input_shape")) {
      cfg["batch_shape"] = cfg["batch_input_shape"];
      cfg.erase("batch_input_shape");
    }
  } else if (cfg.contains("dtype") && cfg["dtype"].is_string()) {
    cfg["dtype"] = dtypePolicy(cfg["dtype"].get<std::string>());
  }
  if (const LayerInfo* info = LayerRegistry::instance().find(node.className))
    for (const std::string& key : info->keras2OnlyKeys)
      if (const ParamSpec* p = info->param(key);
          p && cfg.contains(key) && cfg[key] == p->defaultValue)
        cfg.erase(key);
  // A wrapped layer (TimeDistributed, Bidirectional) as Keras 3 serializes it.
  if (cfg.contains("layer") && cfg["layer"].is_object() && cfg["layer"].contains("class_name")) {
    const json& l = cfg["layer"];
    const json inner = l.value("config", json::object());
    NodeSpec wrapped{
        inner.value("name", std::string()), l["class_name"].get<std::string>(), inner, {}, {}};
    json innerCfg = keras3Config(wrapped);
    if (!inner.contains("name")) innerCfg.erase("name");
    cfg["layer"] = {{"module", "keras.layers"},
                    {"class_name", l["class_name"]},
                    {"config", std::move(innerCfg)},
                    {"registered_name", nullptr}};
  }
  return cfg;
}

// The tensor a layer call reads: output `tensor` of `producer` (keras_history's tensor_index).
json kerasTensor(const std::string& producer, int tensor, const ShapeReport& shapes) {
  const NodeShapes* s = shapes.find(producer);
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", s ? shapeJson(s->outputAt(size_t(tensor))) : json()},
            {"dtype", "float32"},
            {"keras_history", json::array({producer, 0, tensor})}}}};
}

bool isRecurrent(const std::string& className) {
  return className == "LSTM" || className == "GRU" || className == "SimpleRNN" ||
         className == "Bidirectional";  // rnn(x, initial_state=[...])
}

bool hasModuleKey(const json& v) {
  return v.is_object() && v.contains("module");
}

}  // namespace

namespace {

json withCompileConfig(json model, const Keras3JsonOptions& options) {
  if (!options.trainingConfig.is_null())
    model["compile_config"] = compileConfigFromTrainingConfig(options.trainingConfig);
  return model;
}

// Keras 3 Sequential.get_config (keras/src/models/sequential.py): every layer through
// serialize_keras_object (module, class_name, config, registered_name, build_config), the
// InputLayer first, then Model.get_config's name / trainable / dtype and "build_input_shape".
json toKeras3Sequential(const ModelSpec& spec, const ShapeReport& shapes,
                        const Keras3JsonOptions& options) {
  if (!isSequentialStack(spec))
    throw Error("Keras 3 Sequential: model '" + spec.name +
                "' is not a linear stack of layers (write it as a Functional model)");
  json layers = json::array();
  json buildShape;
  for (const auto& n : spec.nodes) {
    json layer = {{"module", "keras.layers"},
                  {"class_name", n.className},
                  {"config", keras3Config(n)},
                  {"registered_name", nullptr}};
    if (n.isInput()) {
      buildShape = layer["config"].value("batch_shape", json());
    } else {
      const NodeShapes* s = shapes.find(n.name);
      layer["build_config"] = {
          {"input_shape", s && !s->inputs.empty() ? shapeJson(s->inputs[0]) : json()}};
    }
    layers.push_back(std::move(layer));
  }
  json model = {{"module", "keras"},
                {"class_name", "Sequential"},
                {"config",
                 {{"name", spec.name},
                  {"trainable", true},
                  {"dtype", dtypePolicy("float32")},
                  {"layers", std::move(layers)},
                  {"build_input_shape", buildShape}}},
                {"registered_name", nullptr},
                {"build_config", {{"input_shape", buildShape}}}};
  return withCompileConfig(std::move(model), options);
}

}  // namespace

bool isSequentialStack(const ModelSpec& spec) {
  if (spec.nodes.size() < 2 || spec.inputs.size() != 1 || spec.outputs.size() != 1) return false;
  if (!spec.nodes[0].isInput() || spec.nodes[0].name != spec.inputs[0]) return false;
  for (size_t i = 1; i < spec.nodes.size(); ++i) {
    const NodeSpec& n = spec.nodes[i];
    if (n.isInput() || n.inputs.size() != 1 || n.inputs[0] != spec.nodes[i - 1].name) return false;
  }
  return spec.outputs[0] == spec.nodes.back().name;
}

namespace {

// The Functional model of `spec` (no compile_config) with the keras tensors' shapes of `shapes`.
json functionalKeras3(const ModelSpec& spec, const ShapeReport& shapes) {
  json layers = json::array();
  for (const auto& n : spec.nodes) {
    json layer = {{"module", "keras.layers"},
                  {"class_name", n.className},
                  {"config", keras3Config(n)},
                  {"registered_name", nullptr}};
    json inbound = json::array();
    if (!n.inputs.empty()) {
      const NodeShapes* s = shapes.find(n.name);
      json args = json::array();
      json inputShape;
      const LayerInfo* info = LayerRegistry::instance().find(n.className);
      json kwargs = json::object();
      auto tensor = [&](size_t i) { return kerasTensor(n.inputs[i], n.inputTensor(i), shapes); };
      if (info && info->callInputsAsArguments) {  // layer(query, value, key)
        for (size_t i = 0; i < n.inputs.size(); ++i) args.push_back(tensor(i));
      } else if (n.inputs.size() == 1 || isRecurrent(n.className)) {
        args.push_back(tensor(0));
        if (s && !s->inputs.empty()) inputShape = shapeJson(s->inputs[0]);
        if (n.inputs.size() > 1) {  // rnn(x, initial_state=[h, c])
          json states = json::array();
          for (size_t i = 1; i < n.inputs.size(); ++i) states.push_back(tensor(i));
          kwargs["initial_state"] = std::move(states);
        }
      } else {  // merge layers take one list argument
        json list = json::array();
        for (size_t i = 0; i < n.inputs.size(); ++i) list.push_back(tensor(i));
        args.push_back(std::move(list));
        if (s && s->inputs.size() == n.inputs.size()) {
          inputShape = json::array();
          for (const auto& shape : s->inputs) inputShape.push_back(shapeJson(shape));
        }
      }
      layer["build_config"] = {{"input_shape", inputShape}};
      if (info && info->callInputsAsArguments) {  // build(query_shape, value_shape, key_shape)
        json dict = json::object();
        const char* names[] = {"query_shape", "value_shape", "key_shape"};
        for (size_t i = 0; i < n.inputs.size() && i < 3; ++i)
          dict[names[i]] = s && i < s->inputs.size() ? shapeJson(s->inputs[i]) : json();
        layer["build_config"] = {{"shapes_dict", dict}};
      }
      // Keras call arguments kept in the config (use_causal_mask) are call kwargs in Keras 3.
      if (info)
        for (const std::string& key : info->callArguments)
          if (layer["config"].contains(key)) {
            kwargs[key] = layer["config"][key];
            layer["config"].erase(key);
          }
      inbound.push_back({{"args", std::move(args)}, {"kwargs", std::move(kwargs)}});
    }
    layer["name"] = n.name;
    layer["inbound_nodes"] = std::move(inbound);
    layers.push_back(std::move(layer));
  }
  json ins = json::array(), outs = json::array();
  for (const auto& i : spec.inputs) ins.push_back(json::array({i, 0, 0}));
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    outs.push_back(json::array({spec.outputs[i], 0, spec.outputTensor(i)}));
  json model = {{"module", "keras"},
                {"class_name", "Functional"},
                {"config",
                 {{"name", spec.name},
                  {"trainable", true},
                  {"layers", std::move(layers)},
                  {"input_layers", std::move(ins)},
                  {"output_layers", std::move(outs)}}},
                {"registered_name", "Functional"}};
  return model;
}

// The shapes of one level of the nesting (blockLevelSpec): its layers' from the flat model's
// report, a child block's placeholder those of its ports, a block input's its InputLayer's.
ShapeReport levelShapes(const ModelSpec& full, const ModelSpec& level, const ShapeReport& report) {
  ShapeReport out;
  for (const NodeSpec& n : level.nodes) {
    NodeShapes s;
    if (const NodeShapes* known = report.find(n.name); known && full.find(n.name)) {
      s = *known;
    } else if (n.isInput()) {
      s.output = inputLayerShape(n);
    } else if (const BlockSpec* b = findBlock(full, n.name)) {
      const BlockPorts ports = blockPorts(full, *b);
      for (size_t k = 0; k < ports.inputs.size(); ++k)
        if (const NodeShapes* ps = report.find(ports.inputs[k]))
          if (auto shape = ps->outputAt(static_cast<size_t>(ports.inputTensors[k])))
            s.inputs.push_back(*shape);
      for (const auto& [member, tensor] : ports.outputs) {
        const NodeShapes* os = report.find(member);
        const auto shape = os ? os->outputAt(static_cast<size_t>(tensor)) : std::nullopt;
        if (s.outputs.empty()) s.output = shape;
        s.outputs.push_back(shape ? *shape : Shape{});
      }
      if (s.outputs.size() == 1) s.outputs.clear();  // one output: `output` alone
    }
    out.nodes.emplace_back(n.name, std::move(s));
  }
  return out;
}

// Keras 3 Functional.get_config of one level: a child block is a layer entry of class
// Functional (module keras.src.models.functional, registered_name "Functional") whose config is
// the block's own Functional config; its call is an ordinary {"args", "kwargs"} node, its output
// ["block", 0, 0] in call arguments and ["block", 1, 0] in output_layers (Keras counts a nested
// model's calls from 1 there, functional.py get_config's node_reindexing_map).
json nestedFunctionalKeras3(const ModelSpec& full, const std::string& block,
                            const ShapeReport& report) {
  const ModelSpec level = inKerasLayerOrder(blockLevelSpec(full, block, &report));
  json model = functionalKeras3(level, levelShapes(full, level, report));
  for (json& layer : model["config"]["layers"]) {
    if (layer["class_name"] != "Functional") continue;
    const std::string name = layer["name"];
    if (full.find(name) || !findBlock(full, name)) continue;
    layer["module"] = "keras.src.models.functional";
    layer["registered_name"] = "Functional";
    layer["config"] = nestedFunctionalKeras3(full, name, report)["config"];
    // A frozen base (every layer frozen) is written as Keras 3 writes base.trainable = False.
    bool frozen = true;
    for (const std::string& m : findBlock(full, name)->nodes)
      if (const NodeSpec* n = full.find(m); n && n->config.value("trainable", true)) frozen = false;
    layer["config"]["trainable"] = !frozen;
  }
  model["config"] = nestedModelCallIndices(model["config"], 1);
  return model;
}

}  // namespace

json toKeras3Json(const ModelSpec& spec, const Keras3JsonOptions& options) {
  if (options.sequential) return toKeras3Sequential(spec, inferShapes(spec), options);
  if (!spec.groups.empty()) {  // blocks as nested Functional models
    ModelSpec flat = spec;
    flat.groups.clear();
    return withCompileConfig(nestedFunctionalKeras3(spec, "", inferShapes(flat)), options);
  }
  return withCompileConfig(functionalKeras3(spec, inferShapes(spec)), options);
}

bool isKeras3Json(const json& topologyIn) {
  const json* t = &topologyIn;
  if (t->is_object() && t->contains("modelTopology")) t = &(*t)["modelTopology"];
  if (t->is_object() && t->contains("model_config")) t = &(*t)["model_config"];
  if (!t->is_object()) return false;
  if (hasModuleKey(*t)) return true;
  if (!t->contains("config") || !(*t)["config"].is_object()) return false;
  const json& cfg = (*t)["config"];
  if (!cfg.contains("layers") || !cfg["layers"].is_array()) return false;
  for (const auto& l : cfg["layers"]) {
    if (hasModuleKey(l)) return true;
    if (l.is_object() && l.contains("inbound_nodes") && l["inbound_nodes"].is_array())
      for (const auto& node : l["inbound_nodes"])
        if (node.is_object()) return true;
  }
  return false;
}

namespace {

json stripModules(const json& v) {
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) out.push_back(stripModules(e));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  const bool serialized = v.contains("class_name");
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (serialized && (it.key() == "module" || it.key() == "registered_name")) continue;
    out[it.key()] = stripModules(it.value());
  }
  return out;
}

}  // namespace

json compileConfigFromTrainingConfig(const json& tc) {
  if (!tc.is_object()) return nullptr;
  json cc = json::object();
  json opt = tc.value("optimizer_config", json());
  if (opt.is_string()) opt = {{"class_name", opt}, {"config", json::object()}};
  if (opt.is_object() && opt.contains("class_name")) {
    json cfg = opt.contains("config") && opt["config"].is_object() ? opt["config"] : json::object();
    for (const char* key : {"jit_compile", "is_legacy_optimizer", "decay"}) cfg.erase(key);
    if (!cfg.empty())
      for (const char* key : {"loss_scale_factor", "gradient_accumulation_steps"})
        if (!cfg.contains(key)) cfg[key] = nullptr;
    if (cfg.contains("learning_rate"))
      cfg["learning_rate"] = serialized(cfg["learning_rate"], "keras.optimizers.schedules");
    cc["optimizer"] = {{"module", "keras.optimizers"},
                       {"class_name", opt["class_name"]},
                       {"config", std::move(cfg)},
                       {"registered_name", nullptr}};
  } else {
    cc["optimizer"] = opt;
  }
  // Nested loss / metric objects (also inside per-output lists and dicts).
  std::function<json(const json&, const char*)> objects = [&](const json& v, const char* module) {
    if (v.is_object() && v.contains("class_name")) return serialized(v, module);
    if (v.is_array() || v.is_object()) {
      json out = v;
      for (auto it = out.begin(); it != out.end(); ++it) it.value() = objects(it.value(), module);
      return out;
    }
    return v;
  };
  cc["loss"] = objects(tc.value("loss", json()), "keras.losses");
  cc["loss_weights"] = tc.value("loss_weights", json());
  cc["metrics"] = objects(tc.value("metrics", json()), "keras.metrics");
  cc["weighted_metrics"] = objects(tc.value("weighted_metrics", json()), "keras.metrics");
  cc["run_eagerly"] = false;
  cc["steps_per_execution"] = 1;
  cc["jit_compile"] = false;
  return cc;
}

json trainingConfigFromCompileConfig(const json& cc) {
  if (!cc.is_object()) return nullptr;
  json tc = json::object();
  if (cc.contains("optimizer")) {
    tc["optimizer_config"] = stripModules(cc["optimizer"]);
    // Keras-3-only optimizer keys at their null default (Keras 2 has no such argument).
    json& cfg = tc["optimizer_config"];
    if (cfg.is_object() && cfg.contains("config") && cfg["config"].is_object())
      for (const char* key : {"loss_scale_factor", "gradient_accumulation_steps"})
        if (cfg["config"].contains(key) && cfg["config"][key].is_null()) cfg["config"].erase(key);
  }
  for (const char* key : {"loss", "metrics", "loss_weights", "weighted_metrics"})
    tc[key] = cc.contains(key) ? stripModules(cc[key]) : json();
  return tc;
}

}  // namespace tessel
