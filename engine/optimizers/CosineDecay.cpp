#include "engine/optimizers/CosineDecay.h"

#include <algorithm>
#include <cmath>

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

std::unique_ptr<Schedule> CosineDecay::fromConfig(const nlohmann::json& c) {
  using namespace scheduledetail;
  const std::string cls = "CosineDecay";
  std::optional<double> target;
  if (c.contains("warmup_target") && !c["warmup_target"].is_null())
    target = number(cls, c, "warmup_target");
  const double warmup = number(cls, c, "warmup_steps");
  if (warmup < 0) throw Error("schedule 'CosineDecay': 'warmup_steps' must be >= 0");
  return std::make_unique<CosineDecay>(number(cls, c, "initial_learning_rate"),
                                       positive(cls, c, "decay_steps"), number(cls, c, "alpha"),
                                       target, warmup);
}

double CosineDecay::decay(double step, double lr) const {
  const double s = std::min(step, steps_);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * s / steps_));
  return lr * ((1.0 - alpha_) * cosine + alpha_);
}

double CosineDecay::operator()(long long step) const {
  const double s = double(step);
  if (!warmupTarget_) return decay(s, lr0_);
  if (s < warmupSteps_) return lr0_ + (*warmupTarget_ - lr0_) * (s / warmupSteps_);
  return decay(s - warmupSteps_, *warmupTarget_);
}

nlohmann::json CosineDecay::toJson() const {
  nlohmann::json c = {{"initial_learning_rate", lr0_},
                      {"decay_steps", steps_},
                      {"alpha", alpha_},
                      {"name", nullptr}};
  if (warmupTarget_) {
    c["warmup_target"] = *warmupTarget_;
    c["warmup_steps"] = warmupSteps_;
  }
  return {{"class_name", "CosineDecay"}, {"config", c}};
}

}  // namespace tessel
