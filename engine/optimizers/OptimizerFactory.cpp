// makeOptimizer: "sgd", "adam", ... with Keras defaults, or {"class_name": "Adam", "config":
// {...}} with Keras 2.11+ get_config keys (learning_rate may be a schedule dictionary).
#include <algorithm>
#include <cctype>
#include <set>

#include "engine/core/Error.h"
#include "engine/optimizers/Adagrad.h"
#include "engine/optimizers/Adam.h"
#include "engine/optimizers/Adamax.h"
#include "engine/optimizers/InverseTimeDecay.h"
#include "engine/optimizers/Nadam.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/optimizers/RMSprop.h"
#include "engine/optimizers/SGD.h"

namespace tessel {

namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Reader {
  std::string cls;
  const json& c;
  bool has(const char* key) const { return c.contains(key) && !c[key].is_null(); }
  double num(const char* key, double def) const {
    if (!has(key)) return def;
    if (!c[key].is_number())
      throw Error("optimizer '" + cls + "': '" + key + "' must be a number, got " + c[key].dump());
    return c[key].get<double>();
  }
  bool flag(const char* key, bool def) const {
    if (!has(key)) return def;
    if (!c[key].is_boolean())
      throw Error("optimizer '" + cls + "': '" + key + "' must be true or false");
    return c[key].get<bool>();
  }
  double nonNegative(const char* key, double def) const {
    const double v = num(key, def);
    if (v < 0) throw Error("optimizer '" + cls + "': '" + key + "' must be >= 0");
    return v;
  }
};

const std::set<std::string> kBaseKeys = {
    "name",        "learning_rate",       "lr",      "weight_decay", "clipnorm",
    "clipvalue",   "global_clipnorm",     "use_ema", "ema_momentum", "ema_overwrite_frequency",
    "jit_compile", "is_legacy_optimizer", "decay"};

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
  const std::string key = lower(cls);
  Reader r{cls, cfg};
  std::unique_ptr<Optimizer> opt;
  std::set<std::string> own;
  if (key == "sgd") {
    own = {"momentum", "nesterov"};
    const double mom = r.num("momentum", 0.0);
    if (mom < 0 || mom > 1) throw Error("optimizer 'SGD': 'momentum' must be in [0, 1]");
    opt = std::make_unique<SGD>(0.01, mom, r.flag("nesterov", false));
  } else if (key == "rmsprop") {
    own = {"rho", "momentum", "epsilon", "centered"};
    opt = std::make_unique<RMSprop>(0.001, r.num("rho", 0.9), r.nonNegative("momentum", 0.0),
                                    r.nonNegative("epsilon", 1e-7), r.flag("centered", false));
  } else if (key == "adam") {
    own = {"beta_1", "beta_2", "epsilon", "amsgrad"};
    opt = std::make_unique<Adam>(0.001, r.num("beta_1", 0.9), r.num("beta_2", 0.999),
                                 r.nonNegative("epsilon", 1e-7), r.flag("amsgrad", false));
  } else if (key == "adagrad") {
    own = {"initial_accumulator_value", "epsilon"};
    opt = std::make_unique<Adagrad>(0.001, r.nonNegative("initial_accumulator_value", 0.1),
                                    r.nonNegative("epsilon", 1e-7));
  } else if (key == "adamax") {
    own = {"beta_1", "beta_2", "epsilon"};
    opt = std::make_unique<Adamax>(0.001, r.num("beta_1", 0.9), r.num("beta_2", 0.999),
                                   r.nonNegative("epsilon", 1e-7));
  } else if (key == "nadam") {
    own = {"beta_1", "beta_2", "epsilon"};
    opt = std::make_unique<Nadam>(0.001, r.num("beta_1", 0.9), r.num("beta_2", 0.999),
                                  r.nonNegative("epsilon", 1e-7));
  } else {
    throw Error("unknown optimizer '" + cls +
                "' (known: sgd, rmsprop, adam, adagrad, adamax, nadam, or the class names SGD, "
                "RMSprop, Adam, Adagrad, Adamax, Nadam)");
  }
  for (const auto& [k, v] : cfg.items())
    if (!kBaseKeys.count(k) && !own.count(k))
      throw Error("optimizer '" + opt->name() + "': unknown config key '" + k + "'");

  if (r.has("use_ema") && r.flag("use_ema", false))
    throw Error("optimizer '" + opt->name() + "': use_ema is not supported");
  if (r.has("name")) {
    if (!cfg["name"].is_string()) throw Error("optimizer: 'name' must be a string");
    opt->configName_ = cfg["name"].get<std::string>();
  }
  const char* lrKey = r.has("learning_rate") ? "learning_rate" : (r.has("lr") ? "lr" : nullptr);
  if (lrKey) {
    if (cfg[lrKey].is_object()) {
      opt->schedule_ = makeSchedule(cfg[lrKey]);
    } else {
      const double lr = r.num(lrKey, 0.0);
      if (!(lr >= 0)) throw Error("optimizer '" + opt->name() + "': learning_rate must be >= 0");
      opt->lr_ = lr;
    }
  }
  // Legacy Keras 2 "decay": lr / (1 + decay * iterations), i.e. InverseTimeDecay(lr, 1, decay).
  const double decay = r.nonNegative("decay", 0.0);
  if (decay > 0) {
    if (opt->schedule_)
      throw Error("optimizer '" + opt->name() + "': 'decay' cannot be combined with a schedule");
    opt->schedule_ = std::make_unique<InverseTimeDecay>(opt->lr_, 1.0, decay);
  }
  opt->weightDecay_ = r.nonNegative("weight_decay", 0.0);
  opt->clipnorm_ = r.nonNegative("clipnorm", 0.0);
  opt->clipvalue_ = r.nonNegative("clipvalue", 0.0);
  opt->globalClipnorm_ = r.nonNegative("global_clipnorm", 0.0);
  if (opt->clipnorm_ > 0 && opt->globalClipnorm_ > 0)  // as Keras 2.11+
    throw Error("optimizer '" + opt->name() +
                "': cannot set both 'clipnorm' and 'global_clipnorm'");
  return opt;
}

}  // namespace tessel
