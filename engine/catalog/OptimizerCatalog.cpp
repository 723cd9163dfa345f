#include "engine/catalog/OptimizerCatalog.h"

#include "engine/optimizers/Adagrad.h"
#include "engine/optimizers/Adam.h"
#include "engine/optimizers/Adamax.h"
#include "engine/optimizers/Nadam.h"
#include "engine/optimizers/RMSprop.h"
#include "engine/optimizers/SGD.h"

namespace tessel {

namespace {

using namespace paramspec;

// Keras 2.11+ (keras/optimizers/*.py; Keras 3 keeps the same defaults).
ParamSpec learningRate(double def) {
  // A number or a LearningRateSchedule {"class_name", "config"}: checked by makeOptimizer.
  return param("learning_rate", ParamType::Json, def,
               "learning rate: a float or a keras.optimizers.schedules.LearningRateSchedule");
}

ParamSpec nonNegative(std::string key, double def, std::string doc) {
  return range(param(std::move(key), ParamType::Float, def, std::move(doc)), 0, 1e300);
}

ParamSpec epsilon() {
  return nonNegative("epsilon", 1e-7, "small constant for numerical stability");
}

ParamSpec beta1() {
  return param("beta_1", ParamType::Float, 0.9, "exponential decay rate of the 1st moment");
}

ParamSpec beta2() {
  return param("beta_2", ParamType::Float, 0.999, "exponential decay rate of the 2nd moment");
}

// The base Optimizer arguments every optimizer takes (None = off).
std::vector<ParamSpec> withBase(std::vector<ParamSpec> own) {
  auto off = [](const char* key, const char* doc) {
    ParamSpec p = range(param(key, ParamType::Float, nullptr, doc), 0, 1e300);
    return p;
  };
  own.push_back(off("weight_decay", "decoupled weight decay (None = off)"));
  own.push_back(off("clipnorm", "clip each variable's gradient to this norm"));
  own.push_back(off("clipvalue", "clip each gradient value to [-clipvalue, clipvalue]"));
  own.push_back(off("global_clipnorm", "clip all gradients together to this global norm"));
  return own;
}

double num(const json& c, const char* key) {
  return c.at(key).get<double>();
}

// The learning rate handed to the constructor: the number, or the default while a schedule is
// set (makeOptimizer installs the schedule).
double lrOf(const json& c, const OptimizerEntry& e) {
  const json& lr = c.at("learning_rate");
  return lr.is_number() ? lr.get<double>() : e.param("learning_rate")->defaultValue.get<double>();
}

OptimizerEntry entry(std::string cls, std::string alias, std::string doc,
                     std::vector<ParamSpec> params) {
  OptimizerEntry e;
  e.className = std::move(cls);
  e.aliases = {std::move(alias)};
  e.group = "Optimizers";
  e.doc = std::move(doc);
  e.params = withBase(std::move(params));
  return e;
}

Catalog<OptimizerEntry> build() {
  Catalog<OptimizerEntry> c("optimizer");
  {
    OptimizerEntry e =
        entry("SGD", "sgd", "Gradient descent (with momentum).",
              {learningRate(0.01),
               range(param("momentum", ParamType::Float, 0.0, "accelerates descent; 0 = plain SGD"),
                     0, 1),
               param("nesterov", ParamType::Bool, false, "apply Nesterov momentum")});
    e.make = [e](const json& k) {
      return std::make_unique<SGD>(lrOf(k, e), num(k, "momentum"), k.at("nesterov").get<bool>());
    };
    c.add(std::move(e));
  }
  {
    OptimizerEntry e =
        entry("RMSprop", "rmsprop", "Divides the gradient by a running average of its magnitude.",
              {learningRate(0.001),
               param("rho", ParamType::Float, 0.9, "discounting factor of the gradient average"),
               nonNegative("momentum", 0.0, "momentum of the update"), epsilon(),
               param("centered", ParamType::Bool, false, "normalise by the gradient's variance")});
    e.make = [e](const json& k) {
      return std::make_unique<RMSprop>(lrOf(k, e), num(k, "rho"), num(k, "momentum"),
                                       num(k, "epsilon"), k.at("centered").get<bool>());
    };
    c.add(std::move(e));
  }
  {
    OptimizerEntry e =
        entry("Adam", "adam", "Adaptive estimation of first- and second-order moments.",
              {learningRate(0.001), beta1(), beta2(), epsilon(),
               param("amsgrad", ParamType::Bool, false, "use the AMSGrad variant")});
    e.make = [e](const json& k) {
      return std::make_unique<Adam>(lrOf(k, e), num(k, "beta_1"), num(k, "beta_2"),
                                    num(k, "epsilon"), k.at("amsgrad").get<bool>());
    };
    c.add(std::move(e));
  }
  {
    OptimizerEntry e = entry(
        "Adagrad", "adagrad", "Per-parameter learning rates from the sum of squared gradients.",
        {learningRate(0.001),
         nonNegative("initial_accumulator_value", 0.1, "starting value of the accumulators"),
         epsilon()});
    e.make = [e](const json& k) {
      return std::make_unique<Adagrad>(lrOf(k, e), num(k, "initial_accumulator_value"),
                                       num(k, "epsilon"));
    };
    c.add(std::move(e));
  }
  {
    OptimizerEntry e = entry("Adamax", "adamax", "Adam with the infinity norm.",
                             {learningRate(0.001), beta1(), beta2(), epsilon()});
    e.make = [e](const json& k) {
      return std::make_unique<Adamax>(lrOf(k, e), num(k, "beta_1"), num(k, "beta_2"),
                                      num(k, "epsilon"));
    };
    c.add(std::move(e));
  }
  {
    OptimizerEntry e = entry("Nadam", "nadam", "Adam with Nesterov momentum.",
                             {learningRate(0.001), beta1(), beta2(), epsilon()});
    e.make = [e](const json& k) {
      return std::make_unique<Nadam>(lrOf(k, e), num(k, "beta_1"), num(k, "beta_2"),
                                     num(k, "epsilon"));
    };
    c.add(std::move(e));
  }
  return c;
}

}  // namespace

const Catalog<OptimizerEntry>& optimizerCatalog() {
  static const Catalog<OptimizerEntry> c = build();
  return c;
}

const std::vector<std::string>& optimizerExtraKeys() {
  static const std::vector<std::string> keys = {"name",         "lr",
                                                "decay",        "use_ema",
                                                "ema_momentum", "ema_overwrite_frequency",
                                                "jit_compile",  "is_legacy_optimizer"};
  return keys;
}

}  // namespace tessel
