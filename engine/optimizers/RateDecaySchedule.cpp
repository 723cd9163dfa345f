#include "engine/optimizers/RateDecaySchedule.h"

#include <cmath>

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

RateDecaySchedule::Config RateDecaySchedule::readConfig(const std::string& cls,
                                                        const nlohmann::json& c) {
  using namespace scheduledetail;
  return {number(cls, c, "initial_learning_rate"), positive(cls, c, "decay_steps"),
          number(cls, c, "decay_rate"), boolean(cls, c, "staircase")};
}

double RateDecaySchedule::progress(long long step) const {
  double p = double(step) / steps_;
  if (staircase_) p = std::floor(p);
  return p;
}

nlohmann::json RateDecaySchedule::toJson() const {
  return {{"class_name", className_},
          {"config",
           {{"initial_learning_rate", lr0_},
            {"decay_steps", steps_},
            {"decay_rate", rate_},
            {"staircase", staircase_},
            {"name", nullptr}}}};
}

}  // namespace tessel
