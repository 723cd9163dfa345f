#include "engine/io/KerasCustomClasses.h"

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

json customClassDefinition(const json& config) {
  if (!config.is_object() || !config.contains("call") || !config["call"].is_string() ||
      !config.contains("weights") || !config["weights"].is_array())
    throw Error("a custom class needs a call expression and a weights list");
  json def = {{"weights", config["weights"]}, {"call", config["call"]}};
  def["params"] =
      config.contains("params") && config["params"].is_object() ? config["params"] : json::object();
  return def;
}

json customLayerConfigFor(const std::string& name, const json& definition) {
  json config = json::object();
  config["custom_class"] = name;
  config["params"] = definition.value("params", json::object());
  config["weights"] = definition.value("weights", json::array());
  config["call"] = definition.value("call", std::string("x"));
  return config;
}

namespace {

void rewriteLayers(json& v) {
  if (v.is_array()) {
    for (json& e : v) rewriteLayers(e);
    return;
  }
  if (!v.is_object()) return;
  if (v.value("class_name", json()) == "CustomLayer" && v.contains("config") &&
      v["config"].is_object() && v["config"].contains("custom_class") &&
      v["config"]["custom_class"].is_string()) {
    const std::string cls = v["config"]["custom_class"].get<std::string>();
    if (!cls.empty()) {
      v["class_name"] = cls;
      if (v.contains("module")) {  // Keras 3: a class registered with register_keras_serializable
        v["module"] = nullptr;
        v["registered_name"] = "Custom>" + cls;
      }
    }
    return;
  }
  for (auto it = v.begin(); it != v.end(); ++it) rewriteLayers(it.value());
}

}  // namespace

void writeCustomClassLayers(json& topology) {
  rewriteLayers(topology);
}

void readCustomClassLayers(ModelSpec& spec) {
  for (NodeSpec& node : spec.nodes) {
    if (LayerRegistry::instance().find(node.className)) continue;
    if (!node.config.is_object() || !node.config.contains("call") ||
        !node.config.contains("weights"))
      continue;
    node.config["custom_class"] = node.className;
    node.className = "CustomLayer";
  }
}

}  // namespace tessel
