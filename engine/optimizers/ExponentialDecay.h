#pragma once
// Keras ExponentialDecay: lr0 * decay_rate ^ (step / decay_steps), the exponent floored when
// staircase. Config and toJson() in RateDecaySchedule.
#include "engine/optimizers/RateDecaySchedule.h"

namespace tessel {

class ExponentialDecay : public RateDecaySchedule {
 public:
  ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate,
                   bool staircase = false)
      : RateDecaySchedule("ExponentialDecay", initialLearningRate, decaySteps, decayRate,
                          staircase) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
};

}  // namespace tessel
