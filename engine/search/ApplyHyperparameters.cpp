#include "engine/search/ApplyHyperparameters.h"

#include "engine/core/Error.h"

namespace tessel {

using json = nlohmann::json;

namespace {

json* layerConfig(json& spec, const std::string& layer) {
  if (!spec.is_object() || !spec.contains("config") || !spec["config"].contains("layers"))
    return nullptr;
  for (auto& l : spec["config"]["layers"])
    if (l.value("name", "") == layer ||
        (l.contains("config") && l["config"].value("name", "") == layer))
      return &l["config"];
  return nullptr;
}

// "layers.<layer>.<key>" -> (layer, key); the layer name may contain dots.
std::pair<std::string, std::string> layerTarget(const std::string& target) {
  auto dot = target.rfind('.');
  return {target.substr(7, dot - 7), target.substr(dot + 1)};
}

json& optimizerConfig(json& settings) {
  json& opt = settings["compile"]["optimizer_config"];
  if (opt.is_string()) opt = {{"class_name", opt.get<std::string>()}, {"config", json::object()}};
  if (!opt.is_object()) opt = {{"class_name", "RMSprop"}, {"config", json::object()}};
  if (!opt.contains("config") || !opt["config"].is_object()) opt["config"] = json::object();
  return opt;
}

void setValue(const std::string& target, const json& value, json& spec, json& settings) {
  if (target.rfind("layers.", 0) == 0) {
    auto [layer, key] = layerTarget(target);
    json* config = layerConfig(spec, layer);
    if (!config) throw Error("search: the model has no layer '" + layer + "'");
    (*config)[key] = value;
  } else if (target == "optimizer") {
    json& opt = optimizerConfig(settings);
    json lr = opt["config"].value("learning_rate", json());
    opt = {{"class_name", value}, {"config", json::object()}};
    if (!lr.is_null()) opt["config"]["learning_rate"] = lr;
  } else if (target.rfind("optimizer.", 0) == 0) {
    optimizerConfig(settings)["config"][target.substr(10)] = value;
  } else {
    settings["fit"][target] = value;  // batch_size, epochs
  }
}

}  // namespace

void checkTargets(const SearchSpace& space, const json& spec, const json& settings) {
  json s = spec;
  for (const auto& p : space.parameters()) {
    if (p.target.rfind("layers.", 0) == 0) {
      auto [layer, key] = layerTarget(p.target);
      if (!layerConfig(s, layer))
        throw Error("search space: parameter '" + p.name + "' targets layer '" + layer +
                    "', which the model does not have");
    } else if (p.target.rfind("optimizer", 0) == 0 &&
               (!settings.contains("compile") || settings["compile"].is_null()))
      throw Error("search space: parameter '" + p.name +
                  "' targets the optimizer, but the model has no compile settings");
  }
}

void applyHyperparameters(const SearchSpace& space, const json& values, json& spec,
                          json& settings) {
  for (const auto& p : space.parameters())
    if (p.target == "optimizer" && values.contains(p.name))
      setValue(p.target, values[p.name], spec, settings);
  for (const auto& p : space.parameters())
    if (p.target != "optimizer" && values.contains(p.name))
      setValue(p.target, values[p.name], spec, settings);
}

json currentValue(const std::string& target, const json& spec, const json& settings) {
  json s = spec;
  if (target.rfind("layers.", 0) == 0) {
    auto [layer, key] = layerTarget(target);
    json* config = layerConfig(s, layer);
    return config && config->contains(key) ? (*config)[key] : json();
  }
  const json compile = settings.value("compile", json::object());
  const json opt = compile.is_object() ? compile.value("optimizer_config", json()) : json();
  if (target == "optimizer") return opt.is_object() ? opt.value("class_name", json()) : opt;
  if (target.rfind("optimizer.", 0) == 0)
    return opt.is_object() && opt.contains("config")
               ? opt["config"].value(target.substr(10), json())
               : json();
  const json fit = settings.value("fit", json::object());
  return fit.value(target, json());
}

}  // namespace tessel
