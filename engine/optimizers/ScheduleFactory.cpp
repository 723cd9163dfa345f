// makeSchedule: {"class_name": ..., "config": {...}} (Keras 2.13+'s "module" and
// "registered_name" keys are accepted and ignored).
#include "engine/core/Error.h"
#include "engine/optimizers/CosineDecay.h"
#include "engine/optimizers/ExponentialDecay.h"
#include "engine/optimizers/InverseTimeDecay.h"
#include "engine/optimizers/PiecewiseConstantDecay.h"
#include "engine/optimizers/PolynomialDecay.h"
#include "engine/optimizers/Schedule.h"

namespace tessel {

std::unique_ptr<Schedule> makeSchedule(const nlohmann::json& spec) {
  if (!spec.is_object() || !spec.contains("class_name") || !spec["class_name"].is_string())
    throw Error("learning-rate schedule: expected {\"class_name\": ..., \"config\": {...}}, got " +
                spec.dump());
  const auto cls = spec["class_name"].get<std::string>();
  const nlohmann::json cfg = spec.contains("config") && !spec["config"].is_null()
                                 ? spec["config"]
                                 : nlohmann::json::object();
  if (!cfg.is_object()) throw Error("schedule '" + cls + "': config must be an object");
  if (cls == "ExponentialDecay") return ExponentialDecay::fromConfig(cfg);
  if (cls == "InverseTimeDecay") return InverseTimeDecay::fromConfig(cfg);
  if (cls == "PiecewiseConstantDecay") return PiecewiseConstantDecay::fromConfig(cfg);
  if (cls == "PolynomialDecay") return PolynomialDecay::fromConfig(cfg);
  if (cls == "CosineDecay") return CosineDecay::fromConfig(cfg);
  throw Error("unknown learning-rate schedule '" + cls +
              "' (known: ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, "
              "PolynomialDecay, CosineDecay)");
}

}  // namespace tessel
