#include "engine/optimizers/PolynomialDecay.h"

#include <algorithm>
#include <cmath>

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

std::unique_ptr<Schedule> PolynomialDecay::fromConfig(const nlohmann::json& c) {
  using namespace scheduledetail;
  const std::string cls = "PolynomialDecay";
  return std::make_unique<PolynomialDecay>(
      number(cls, c, "initial_learning_rate"), positive(cls, c, "decay_steps"),
      number(cls, c, "end_learning_rate"), number(cls, c, "power"), boolean(cls, c, "cycle"));
}

double PolynomialDecay::operator()(long long step) const {
  double s = double(step), d = steps_;
  if (cycle_) {
    const double mult = step == 0 ? 1.0 : std::ceil(s / steps_);
    d = steps_ * mult;
  } else {
    s = std::min(s, d);
  }
  return (lr0_ - end_) * std::pow(1.0 - s / d, power_) + end_;
}

nlohmann::json PolynomialDecay::toJson() const {
  return {{"class_name", "PolynomialDecay"},
          {"config",
           {{"initial_learning_rate", lr0_},
            {"decay_steps", steps_},
            {"end_learning_rate", end_},
            {"power", power_},
            {"cycle", cycle_},
            {"name", nullptr}}}};
}

}  // namespace tessel
