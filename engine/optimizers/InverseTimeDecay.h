#pragma once
// Keras InverseTimeDecay: lr0 / (1 + decay_rate * step / decay_steps), step / decay_steps floored
// when staircase.
#include "engine/optimizers/Schedule.h"

namespace tessel {

class InverseTimeDecay : public Schedule {
 public:
  InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate,
                   bool staircase = false)
      : lr0_(initialLearningRate), steps_(decaySteps), rate_(decayRate), staircase_(staircase) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
  nlohmann::json toJson() const override;

 private:
  double lr0_, steps_, rate_;
  bool staircase_;
};

}  // namespace tessel
