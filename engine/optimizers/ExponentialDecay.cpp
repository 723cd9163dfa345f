#include "engine/optimizers/ExponentialDecay.h"

#include <cmath>

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

std::unique_ptr<Schedule> ExponentialDecay::fromConfig(const nlohmann::json& c) {
  using namespace scheduledetail;
  const std::string cls = "ExponentialDecay";
  checkKeys(cls, c, {"initial_learning_rate", "decay_steps", "decay_rate", "staircase"});
  return std::make_unique<ExponentialDecay>(
      number(cls, c, "initial_learning_rate"), positive(cls, c, "decay_steps"),
      number(cls, c, "decay_rate"), boolean(cls, c, "staircase", false));
}

double ExponentialDecay::operator()(long long step) const {
  double p = double(step) / steps_;
  if (staircase_) p = std::floor(p);
  return lr0_ * std::pow(rate_, p);
}

nlohmann::json ExponentialDecay::toJson() const {
  return {{"class_name", "ExponentialDecay"},
          {"config",
           {{"initial_learning_rate", lr0_},
            {"decay_steps", steps_},
            {"decay_rate", rate_},
            {"staircase", staircase_},
            {"name", nullptr}}}};
}

}  // namespace tessel
