#pragma once
// Keras InverseTimeDecay: lr0 / (1 + decay_rate * step / decay_steps), step / decay_steps floored
// when staircase. Config and toJson() in RateDecaySchedule.
#include "engine/optimizers/RateDecaySchedule.h"

namespace tessel {

class InverseTimeDecay : public RateDecaySchedule {
 public:
  InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate,
                   bool staircase = false)
      : RateDecaySchedule("InverseTimeDecay", initialLearningRate, decaySteps, decayRate,
                          staircase) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
};

}  // namespace tessel
