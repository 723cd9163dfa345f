#include "engine/io/Keras3Json.h"

#include <string>

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
  if (node.className == "InputLayer") {
    // Keras 3 InputLayer: "batch_shape" and a plain dtype string.
    if (cfg.contains("batch_input_shape")) {
      cfg["batch_shape"] = cfg["batch_input_shape"];
      cfg.erase("batch_input_shape");
    }
  } else if (cfg.contains("dtype") && cfg["dtype"].is_string()) {
    cfg["dtype"] = {{"module", "keras"},
                    {"class_name", "DTypePolicy"},
                    {"config", {{"name", cfg["dtype"]}}},
                    {"registered_name", nullptr}};
  }
  return cfg;
}

json kerasTensor(const std::string& producer, const ShapeReport& shapes) {
  const NodeShapes* s = shapes.find(producer);
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", s ? shapeJson(s->output) : json()},
            {"dtype", "float32"},
            {"keras_history", json::array({producer, 0, 0})}}}};
}

bool hasModuleKey(const json& v) {
  return v.is_object() && v.contains("module");
}

}  // namespace

json toKeras3Json(const ModelSpec& spec) {
  const ShapeReport shapes = inferShapes(spec);
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
      if (n.inputs.size() == 1) {
        args.push_back(kerasTensor(n.inputs[0], shapes));
        if (s && !s->inputs.empty()) inputShape = shapeJson(s->inputs[0]);
      } else {  // merge layers take one list argument
        json list = json::array();
        for (const auto& in : n.inputs) list.push_back(kerasTensor(in, shapes));
        args.push_back(std::move(list));
        if (s && s->inputs.size() == n.inputs.size()) {
          inputShape = json::array();
          for (const auto& shape : s->inputs) inputShape.push_back(shapeJson(shape));
        }
      }
      layer["build_config"] = {{"input_shape", inputShape}};
      inbound.push_back({{"args", std::move(args)}, {"kwargs", json::object()}});
    }
    layer["name"] = n.name;
    layer["inbound_nodes"] = std::move(inbound);
    layers.push_back(std::move(layer));
  }
  json ins = json::array(), outs = json::array();
  for (const auto& i : spec.inputs) ins.push_back(json::array({i, 0, 0}));
  for (const auto& o : spec.outputs) outs.push_back(json::array({o, 0, 0}));
  return {{"module", "keras"},
          {"class_name", "Functional"},
          {"config",
           {{"name", spec.name},
            {"trainable", true},
            {"layers", std::move(layers)},
            {"input_layers", std::move(ins)},
            {"output_layers", std::move(outs)}}},
          {"registered_name", "Functional"}};
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

json trainingConfigFromCompileConfig(const json& cc) {
  if (!cc.is_object()) return nullptr;
  json tc = json::object();
  if (cc.contains("optimizer")) tc["optimizer_config"] = stripModules(cc["optimizer"]);
  for (const char* key : {"loss", "metrics", "loss_weights", "weighted_metrics"})
    tc[key] = cc.contains(key) ? stripModules(cc[key]) : json();
  return tc;
}

}  // namespace tessel
