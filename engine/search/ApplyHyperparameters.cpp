#include "engine/search/ApplyHyperparameters.h"

#include <algorithm>
#include <vector>

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

// The model's output layer names, in output order (Keras functional "output_layers").
std::vector<std::string> outputNames(const json& spec) {
  std::vector<std::string> out;
  if (!spec.is_object() || !spec.contains("config")) return out;
  const json outs = spec["config"].value("output_layers", json::array());
  if (outs.is_array() && !outs.empty() && outs[0].is_string()) {  // one output: [name, 0, 0]
    out.push_back(outs[0].get<std::string>());
    return out;
  }
  for (const auto& o : outs)
    if (o.is_array() && !o.empty() && o[0].is_string()) out.push_back(o[0].get<std::string>());
  return out;
}

// "loss_weights.<output>": the weight's place in compile.loss_weights (a list by output order,
// a dict by output name, or null = all 1).
json* lossWeight(json& settings, const json& spec, const std::string& output, bool create) {
  json& compile = settings["compile"];
  if (!compile.is_object()) return nullptr;
  json& lw = compile["loss_weights"];
  if (lw.is_object()) {
    if (!lw.contains(output) && !create) return nullptr;
    return &lw[output];
  }
  const std::vector<std::string> names = outputNames(spec);
  auto it = std::find(names.begin(), names.end(), output);
  if (it == names.end()) return nullptr;
  const size_t i = static_cast<size_t>(it - names.begin());
  if (!lw.is_array()) {
    if (!create) return nullptr;
    lw = json::array();
  }
  while (lw.size() < names.size()) lw.push_back(1.0);
  return &lw[i];
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
  } else if (target.rfind("loss_weights.", 0) == 0) {
    json* w = lossWeight(settings, spec, target.substr(13), true);
    if (!w) throw Error("search: the model has no output '" + target.substr(13) + "'");
    *w = value;
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
    else if (p.target.rfind("loss_weights.", 0) == 0) {
      const std::vector<std::string> names = outputNames(spec);
      if (std::find(names.begin(), names.end(), p.target.substr(13)) == names.end())
        throw Error("search space: parameter '" + p.name + "' targets the loss weight of output '" +
                    p.target.substr(13) + "', which the model does not have");
    }
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
  if (target.rfind("loss_weights.", 0) == 0) {
    json copy = settings;
    if (!copy.contains("compile") || !copy["compile"].is_object()) return nullptr;
    const json* w = lossWeight(copy, spec, target.substr(13), false);
    if (w) return *w;
    const std::vector<std::string> names = outputNames(spec);
    return std::find(names.begin(), names.end(), target.substr(13)) != names.end() ? json(1.0)
                                                                                   : json();
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
