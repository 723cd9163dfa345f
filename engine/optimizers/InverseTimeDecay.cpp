#include "engine/optimizers/InverseTimeDecay.h"

#include <cmath>

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

std::unique_ptr<Schedule> InverseTimeDecay::fromConfig(const nlohmann::json& c) {
  using namespace scheduledetail;
  const std::string cls = "InverseTimeDecay";
  checkKeys(cls, c, {"initial_learning_rate", "decay_steps", "decay_rate", "staircase"});
  return std::make_unique<InverseTimeDecay>(
      number(cls, c, "initial_learning_rate"), positive(cls, c, "decay_steps"),
      number(cls, c, "decay_rate"), boolean(cls, c, "staircase", false));
}

double InverseTimeDecay::operator()(long long step) const {
  double p = double(step) / steps_;
  if (staircase_) p = std::floor(p);
  return lr0_ / (1.0 + rate_ * p);
}

nlohmann::json InverseTimeDecay::toJson() const {
  return {{"class_name", "InverseTimeDecay"},
          {"config",
           {{"initial_learning_rate", lr0_},
            {"decay_steps", steps_},
            {"decay_rate", rate_},
            {"staircase", staircase_},
            {"name", nullptr}}}};
}

}  // namespace tessel
