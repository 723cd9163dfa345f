#include "engine/train/CompileOptions.h"

#include "engine/core/Error.h"
#include "engine/optimizers/Optimizer.h"

namespace tessel {

namespace {

// A loss/metric given as a dict by output name: {"out_a": ..., "out_b": ...} (not a
// {"class_name", "config"} object).
bool isByOutput(const json& v) {
  return v.is_object() && !v.contains("class_name");
}

std::vector<json> byOutput(const json& dict, const std::vector<std::string>& outputNames,
                           const char* what) {
  if (outputNames.empty())
    throw Error(std::string("training_config: '") + what +
                "' is given by output name but the output names are unknown");
  std::vector<json> out;
  for (const auto& name : outputNames) {
    auto it = dict.find(name);
    if (it == dict.end())
      throw Error(std::string("training_config: '") + what + "' has no entry for output '" + name +
                  "'");
    out.push_back(*it);
  }
  return out;
}

std::vector<json> metricList(const json& v) {
  if (v.is_null()) return {};
  if (v.is_array()) return v.get<std::vector<json>>();
  return {v};
}

}  // namespace

CompileOptions CompileOptions::fromTrainingConfig(const json& tc,
                                                  const std::vector<std::string>& outputNames) {
  if (!tc.is_object()) throw Error("training_config must be a JSON object");
  CompileOptions c;
  const json loss = tc.value("loss", json());
  if (loss.is_string() || (loss.is_object() && loss.contains("class_name")))
    c.losses = {loss};
  else if (loss.is_array())
    c.losses = loss.get<std::vector<json>>();
  else if (isByOutput(loss))
    c.losses = byOutput(loss, outputNames, "loss");
  else
    throw Error("training_config: 'loss' is missing or not a name, list or dict");

  const json lw = tc.value("loss_weights", json());
  if (lw.is_array()) {
    for (const auto& w : lw) {
      if (!w.is_number()) throw Error("training_config: 'loss_weights' must hold numbers");
      c.lossWeights.push_back(w.get<double>());
    }
  } else if (lw.is_object()) {
    for (const auto& w : byOutput(lw, outputNames, "loss_weights")) {
      if (!w.is_number()) throw Error("training_config: 'loss_weights' must hold numbers");
      c.lossWeights.push_back(w.get<double>());
    }
  } else if (!lw.is_null()) {
    throw Error("training_config: 'loss_weights' must be a list or a dict");
  }

  const json m = tc.value("metrics", json());
  if (m.is_array()) {
    bool nested = !m.empty();
    for (const auto& e : m) nested &= e.is_array() || e.is_null();
    if (nested)
      for (const auto& e : m) c.metrics.push_back(metricList(e));
    else if (!m.empty())
      c.metrics.push_back(m.get<std::vector<json>>());
  } else if (isByOutput(m)) {
    for (const auto& e : byOutput(m, outputNames, "metrics")) c.metrics.push_back(metricList(e));
  } else if (!m.is_null()) {
    c.metrics.push_back({m});
  }

  json opt = tc.value("optimizer_config", json());
  if (opt.is_object() && opt.contains("class_name")) {
    std::string cls = opt["class_name"].get<std::string>();
    if (cls.rfind("Custom>", 0) == 0) opt["class_name"] = cls.substr(7);  // Keras 2.11+ prefix
    c.optimizer = opt;
  } else if (opt.is_string()) {
    c.optimizer = opt;
  } else if (!opt.is_null()) {
    throw Error("training_config: 'optimizer_config' must be {\"class_name\", \"config\"}");
  }
  return c;
}

json CompileOptions::toTrainingConfig() const {
  json tc = json::object();
  if (losses.size() == 1)
    tc["loss"] = losses[0];
  else
    tc["loss"] = losses;
  if (metrics.empty())
    tc["metrics"] = nullptr;
  else if (metrics.size() == 1)
    tc["metrics"] = metrics[0];
  else
    tc["metrics"] = metrics;
  tc["weighted_metrics"] = nullptr;
  tc["loss_weights"] = lossWeights.empty() ? json(nullptr) : json(lossWeights);
  if (optimizer.is_object() && optimizer.contains("class_name")) {
    tc["optimizer_config"] = optimizer;
  } else {
    try {
      auto opt = makeOptimizer(optimizer);
      tc["optimizer_config"] = {{"class_name", opt->name()}, {"config", opt->config()}};
    } catch (const Error&) {
      tc["optimizer_config"] = {{"class_name", optimizer}, {"config", json::object()}};
    }
  }
  return tc;
}

}  // namespace tessel
