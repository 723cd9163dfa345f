// makeLoss: Keras names, aliases, class names and {"class_name", "config"} dictionaries.
#include <functional>
#include <map>
#include <set>

#include "engine/core/Error.h"
#include "engine/losses/BinaryCrossentropy.h"
#include "engine/losses/CategoricalCrossentropy.h"
#include "engine/losses/Hinge.h"
#include "engine/losses/Huber.h"
#include "engine/losses/KLDivergence.h"
#include "engine/losses/LogCosh.h"
#include "engine/losses/Loss.h"
#include "engine/losses/LossAliases.h"
#include "engine/losses/MeanAbsoluteError.h"
#include "engine/losses/MeanAbsolutePercentageError.h"
#include "engine/losses/MeanSquaredError.h"
#include "engine/losses/SparseCategoricalCrossentropy.h"

namespace tessel {

namespace {

using json = nlohmann::json;

struct LossEntry {
  std::string defaultName;     // Keras's default loss name
  std::set<std::string> keys;  // config keys besides name / reduction
  std::function<std::unique_ptr<Loss>(const json&, const std::string&)> make;
};

double num(const json& c, const char* key, double def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_number()) throw Error(std::string("loss config '") + key + "' must be a number");
  return c[key].get<double>();
}

bool flag(const json& c, const char* key, bool def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_boolean()) throw Error(std::string("loss config '") + key + "' must be a boolean");
  return c[key].get<bool>();
}

const std::map<std::string, LossEntry>& table() {
  static const std::map<std::string, LossEntry> t = {
      {"MeanSquaredError",
       {"mean_squared_error",
        {},
        [](const json&, const std::string& n) { return std::make_unique<MeanSquaredError>(n); }}},
      {"MeanAbsoluteError",
       {"mean_absolute_error",
        {},
        [](const json&, const std::string& n) { return std::make_unique<MeanAbsoluteError>(n); }}},
      {"MeanAbsolutePercentageError",
       {"mean_absolute_percentage_error",
        {},
        [](const json&, const std::string& n) {
          return std::make_unique<MeanAbsolutePercentageError>(n);
        }}},
      {"Huber",
       {"huber_loss",
        {"delta"},
        [](const json& c, const std::string& n) {
          return std::make_unique<Huber>(num(c, "delta", 1.0), n);
        }}},
      {"LogCosh",
       {"log_cosh",
        {},
        [](const json&, const std::string& n) { return std::make_unique<LogCosh>(n); }}},
      {"BinaryCrossentropy",
       {"binary_crossentropy",
        {"from_logits", "label_smoothing", "axis"},
        [](const json& c, const std::string& n) {
          return std::make_unique<BinaryCrossentropy>(flag(c, "from_logits", false),
                                                      num(c, "label_smoothing", 0.0), n);
        }}},
      {"CategoricalCrossentropy",
       {"categorical_crossentropy",
        {"from_logits", "label_smoothing", "axis"},
        [](const json& c, const std::string& n) {
          return std::make_unique<CategoricalCrossentropy>(flag(c, "from_logits", false),
                                                           num(c, "label_smoothing", 0.0), n);
        }}},
      {"SparseCategoricalCrossentropy",
       {"sparse_categorical_crossentropy",
        {"from_logits", "ignore_class"},
        [](const json& c, const std::string& n) {
          if (c.contains("ignore_class") && !c["ignore_class"].is_null())
            throw Error("loss 'sparse_categorical_crossentropy': ignore_class is not supported");
          return std::make_unique<SparseCategoricalCrossentropy>(flag(c, "from_logits", false), n);
        }}},
      {"KLDivergence",
       {"kl_divergence",
        {},
        [](const json&, const std::string& n) { return std::make_unique<KLDivergence>(n); }}},
      {"Hinge",
       {"hinge", {}, [](const json&, const std::string& n) { return std::make_unique<Hinge>(n); }}},
  };
  return t;
}

// Function names and aliases (keras.losses.get) -> class name: the ones metrics share, and
// Huber's and LogCosh's.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = [] {
    std::map<std::string, std::string> m = lossFunctionAliases();
    m.insert({{"huber", "Huber"},
              {"huber_loss", "Huber"},
              {"log_cosh", "LogCosh"},
              {"logcosh", "LogCosh"}});
    return m;
  }();
  return a;
}

std::string knownNames() {
  std::string s;
  for (const auto& [k, v] : aliases()) s += (s.empty() ? "" : ", ") + k;
  for (const auto& [k, v] : table()) s += ", " + k;
  return s;
}

}  // namespace

std::unique_ptr<Loss> makeLoss(const json& spec) {
  std::string cls;
  json cfg = json::object();
  std::string name;  // function form keeps the name the user gave (Keras 2 logs "mse" as given)
  if (spec.is_string()) {
    const auto s = spec.get<std::string>();
    if (auto a = aliases().find(s); a != aliases().end()) {
      cls = a->second;
      name = table().at(cls).defaultName;
    } else {
      cls = s;
    }
  } else if (spec.is_object() && spec.contains("class_name") && spec["class_name"].is_string()) {
    cls = spec["class_name"].get<std::string>();
    if (spec.contains("config") && !spec["config"].is_null()) cfg = spec["config"];
    if (cls == "function") {  // Keras 2.13+: {"class_name": "function", "config": "mse"}
      if (!cfg.is_string()) throw Error("loss: a function loss needs its name as config");
      return makeLoss(cfg);
    }
    if (!cfg.is_object()) throw Error("loss '" + cls + "': config must be an object");
  } else {
    throw Error("loss: expected a name or {\"class_name\": ..., \"config\": {...}}, got " +
                spec.dump());
  }
  const auto it = table().find(cls);
  if (it == table().end()) throw Error("unknown loss '" + cls + "' (known: " + knownNames() + ")");
  const LossEntry& e = it->second;
  for (const auto& [k, v] : cfg.items()) {
    if (k == "name" || k == "reduction" || e.keys.count(k)) continue;
    throw Error("loss '" + cls + "': unknown config key '" + k + "'");
  }
  if (cfg.contains("reduction") && !cfg["reduction"].is_null()) {
    const auto r = cfg["reduction"].is_string() ? cfg["reduction"].get<std::string>() : "";
    if (r != "auto" && r != "sum_over_batch_size")
      throw Error("loss '" + cls + "': reduction '" + cfg["reduction"].dump() +
                  "' is not supported (only \"auto\" / \"sum_over_batch_size\")");
  }
  if (cfg.contains("axis") && !cfg["axis"].is_null() && cfg["axis"] != -1)
    throw Error("loss '" + cls + "': only axis -1 is supported");
  if (cfg.contains("name") && cfg["name"].is_string()) name = cfg["name"].get<std::string>();
  if (name.empty()) name = e.defaultName;
  return e.make(cfg, name);
}

}  // namespace tessel
