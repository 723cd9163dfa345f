#include "engine/catalog/ScheduleCatalog.h"

#include "engine/optimizers/CosineDecay.h"
#include "engine/optimizers/ExponentialDecay.h"
#include "engine/optimizers/InverseTimeDecay.h"
#include "engine/optimizers/PiecewiseConstantDecay.h"
#include "engine/optimizers/PolynomialDecay.h"

namespace tessel {

namespace {

using namespace paramspec;

// Keras 2.13 keras/optimizers/schedules/learning_rate_schedule.py (Keras 3 keeps these).
ParamSpec initialRate() {
  return required(
      param("initial_learning_rate", ParamType::Float, nullptr, "the learning rate at step 0"),
      0.001);
}

ParamSpec decaySteps(double suggested) {
  return required(
      range(param("decay_steps", ParamType::Float, nullptr, "steps of one decay"), 0, 1e300),
      suggested);
}

ParamSpec decayRate(double suggested) {
  return required(param("decay_rate", ParamType::Float, nullptr, "the decay rate"), suggested);
}

ParamSpec staircase() {
  return param("staircase", ParamType::Bool, false, "decay at discrete intervals");
}

ScheduleEntry entry(std::string cls, std::string doc, std::vector<ParamSpec> params,
                    std::unique_ptr<Schedule> (*fromConfig)(const json&)) {
  ScheduleEntry e;
  e.className = std::move(cls);
  e.group = "Learning rate schedules";
  e.doc = std::move(doc);
  e.params = std::move(params);
  e.make = fromConfig;
  return e;
}

Catalog<ScheduleEntry> build() {
  Catalog<ScheduleEntry> c("learning-rate schedule");
  c.add(entry("ExponentialDecay", "lr = initial * decay_rate ^ (step / decay_steps)",
              {initialRate(), decaySteps(10000), decayRate(0.9), staircase()},
              &ExponentialDecay::fromConfig));
  c.add(entry("InverseTimeDecay", "lr = initial / (1 + decay_rate * step / decay_steps)",
              {initialRate(), decaySteps(1000), decayRate(0.5), staircase()},
              &InverseTimeDecay::fromConfig));
  c.add(entry(
      "PiecewiseConstantDecay", "constant values between step boundaries",
      {required(param("boundaries", ParamType::Json, nullptr,
                      "increasing step numbers where the value changes"),
                json::array({100000, 110000})),
       required(param("values", ParamType::Json, nullptr, "the values, one more than boundaries"),
                json::array({0.001, 0.0005, 0.0001}))},
      &PiecewiseConstantDecay::fromConfig));
  c.add(entry("PolynomialDecay", "polynomial decay from initial to end_learning_rate",
              {initialRate(), decaySteps(10000),
               param("end_learning_rate", ParamType::Float, 0.0001, "the final learning rate"),
               param("power", ParamType::Float, 1.0, "power of the polynomial"),
               param("cycle", ParamType::Bool, false, "cycle beyond decay_steps")},
              &PolynomialDecay::fromConfig));
  c.add(entry("CosineDecay", "cosine decay, with an optional linear warmup",
              {initialRate(), decaySteps(10000),
               param("alpha", ParamType::Float, 0.0, "minimum as a fraction of initial"),
               param("warmup_target", ParamType::Float, nullptr,
                     "learning rate reached after the warmup (None = no warmup)"),
               range(param("warmup_steps", ParamType::Float, 0, "steps of the warmup"), 0, 1e300)},
              &CosineDecay::fromConfig));
  return c;
}

}  // namespace

const Catalog<ScheduleEntry>& scheduleCatalog() {
  static const Catalog<ScheduleEntry> c = build();
  return c;
}

}  // namespace tessel
