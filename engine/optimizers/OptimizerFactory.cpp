// makeOptimizer: a reader of the optimizer catalog (engine/catalog/OptimizerCatalog.h). "sgd",
// "adam", ... with Keras defaults, or {"class_name": "Adam", "config": {...}} with Keras 2.11+
// get_config keys (learning_rate may be a schedule dictionary).
#include "engine/catalog/OptimizerCatalog.h"
#include "engine/core/Error.h"
#include "engine/optimizers/InverseTimeDecay.h"
#include "engine/optimizers/Optimizer.h"

namespace tessel {

namespace {

using json = nlohmann::json;

// `cfg` without null values for keys whose Keras default is not None: a null there means "the
// default" (as Keras's constructors treat an omitted argument).
json withoutNullDefaults(const OptimizerEntry& e, json cfg) {
  for (const ParamSpec& p : e.params)
    if (cfg.contains(p.key) && cfg[p.key].is_null() && !p.defaultValue.is_null()) cfg.erase(p.key);
  return cfg;
}

double nonNegative(const std::string& who, const json& cfg, const char* key) {
  if (!cfg.contains(key) || cfg[key].is_null()) return 0.0;
  if (!cfg[key].is_number() || cfg[key].get<double>() < 0)
    throw Error(who + ": '" + key + "' must be a number >= 0, got " + cfg[key].dump());
  return cfg[key].get<double>();
}

// The base Optimizer keys: name, learning_rate (number or schedule), legacy lr / decay,
// weight_decay and the clipping norms; use_ema must stay off.
void applyBase(const json& cfg, std::unique_ptr<Schedule>& schedule, double& lr,
               const std::string& who) {
  if (cfg.contains("use_ema") && cfg["use_ema"] == true)
    throw Error(who + ": use_ema is not supported");
  json rate = cfg.at("learning_rate");
  if (cfg.contains("lr") && !cfg["lr"].is_null()) rate = cfg["lr"];  // Keras < 2.3
  if (rate.is_object()) {
    schedule = makeSchedule(rate);
  } else if (!rate.is_number() || !(rate.get<double>() >= 0)) {
    throw Error(who + ": learning_rate must be a number >= 0 or a schedule, got " + rate.dump());
  } else {
    lr = rate.get<double>();
  }
  // Legacy Keras 2 "decay": lr / (1 + decay * iterations), i.e. InverseTimeDecay(lr, 1, decay).
  const double decay = nonNegative(who, cfg, "decay");
  if (decay > 0) {
    if (schedule) throw Error(who + ": 'decay' cannot be combined with a schedule");
    schedule = std::make_unique<InverseTimeDecay>(lr, 1.0, decay);
  }
}

}  // namespace

std::unique_ptr<Optimizer> makeOptimizer(const json& spec) {
  std::string cls;
  json cfg = json::object();
  if (spec.is_string()) {
    cls = spec.get<std::string>();
  } else if (spec.is_object() && spec.contains("class_name") && spec["class_name"].is_string()) {
    cls = spec["class_name"].get<std::string>();
    if (spec.contains("config") && !spec["config"].is_null()) cfg = spec["config"];
    if (!cfg.is_object()) throw Error("optimizer '" + cls + "': config must be an object");
  } else {
    throw Error("optimizer: expected a name or {\"class_name\": ..., \"config\": {...}}, got " +
                spec.dump());
  }
  // Keras 2.13+ writes "Custom>Adam" for optimizers saved from tf.keras.
  if (cls.rfind("Custom>", 0) == 0) cls = cls.substr(7);
  const OptimizerEntry& e = optimizerCatalog().get(cls);
  const json full = e.completeConfig(withoutNullDefaults(e, cfg), optimizerCatalog().kind(),
                                     optimizerExtraKeys());
  const std::string who = "optimizer '" + e.className + "'";
  std::unique_ptr<Optimizer> opt = e.make(full);
  applyBase(full, opt->schedule_, opt->lr_, who);
  if (full.contains("name") && !full["name"].is_null()) {
    if (!full["name"].is_string()) throw Error("optimizer: 'name' must be a string");
    opt->configName_ = full["name"].get<std::string>();
  }
  opt->weightDecay_ = nonNegative(who, full, "weight_decay");
  opt->clipnorm_ = nonNegative(who, full, "clipnorm");
  opt->clipvalue_ = nonNegative(who, full, "clipvalue");
  opt->globalClipnorm_ = nonNegative(who, full, "global_clipnorm");
  if (opt->clipnorm_ > 0 && opt->globalClipnorm_ > 0)  // as Keras 2.11+
    throw Error(who + ": cannot set both 'clipnorm' and 'global_clipnorm'");
  return opt;
}

}  // namespace tessel
