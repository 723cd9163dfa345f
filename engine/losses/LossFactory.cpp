// makeLoss: a reader of the loss catalog (engine/catalog/LossCatalog.h). Keras names, aliases,
// class names and {"class_name", "config"} dictionaries.
#include "engine/catalog/LossCatalog.h"
#include "engine/core/Error.h"
#include "engine/losses/Loss.h"

namespace tessel {

std::unique_ptr<Loss> makeLoss(const nlohmann::json& spec) {
  using json = nlohmann::json;
  std::string cls;
  json cfg = json::object();
  if (spec.is_string()) {
    cls = spec.get<std::string>();
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
  const LossEntry& e = lossCatalog().get(cls);
  // null means the default for a key Keras never writes as None
  for (const ParamSpec& p : e.params)
    if (cfg.contains(p.key) && cfg[p.key].is_null() && !p.defaultValue.is_null()) cfg.erase(p.key);
  const json full = e.completeConfig(cfg, "loss", {"name"});
  // The function form and a class name as a string use Keras's default name ("mse" logs as
  // "loss" and reports as mean_squared_error); a config may name the loss.
  std::string name = e.name;
  if (full.contains("name") && full["name"].is_string()) name = full["name"].get<std::string>();
  return e.make(full, name);
}

}  // namespace tessel
