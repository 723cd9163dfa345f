// makeSchedule: a reader of the schedule catalog (engine/catalog/ScheduleCatalog.h).
// {"class_name": ..., "config": {...}}; Keras 2.13+'s "module" and "registered_name" keys are
// accepted and ignored.
#include "engine/catalog/ScheduleCatalog.h"
#include "engine/core/Error.h"
#include "engine/optimizers/Schedule.h"

namespace tessel {

std::unique_ptr<Schedule> makeSchedule(const nlohmann::json& spec) {
  if (!spec.is_object() || !spec.contains("class_name") || !spec["class_name"].is_string())
    throw Error("learning-rate schedule: expected {\"class_name\": ..., \"config\": {...}}, got " +
                spec.dump());
  const ScheduleEntry& e = scheduleCatalog().get(spec["class_name"].get<std::string>());
  const nlohmann::json cfg = spec.contains("config") && !spec["config"].is_null()
                                 ? spec["config"]
                                 : nlohmann::json::object();
  return e.make(e.completeConfig(cfg, "schedule", {"name"}));
}

}  // namespace tessel
