#pragma once
// The part Keras ExponentialDecay and InverseTimeDecay share: config initial_learning_rate,
// decay_steps (> 0), decay_rate and staircase (default false), written back by toJson() as Keras's
// get_config; both decay in p = step / decay_steps, floored when staircase.
#include <memory>
#include <string>

#include "engine/optimizers/Schedule.h"

namespace tessel {

class RateDecaySchedule : public Schedule {
 public:
  nlohmann::json toJson() const override;

 protected:
  RateDecaySchedule(const char* className, double initialLearningRate, double decaySteps,
                    double decayRate, bool staircase)
      : className_(className),
        lr0_(initialLearningRate),
        steps_(decaySteps),
        rate_(decayRate),
        staircase_(staircase) {}
  struct Config {
    double initialLearningRate, decaySteps, decayRate;
    bool staircase;
  };
  // Reads and checks the config of schedule `className`; throws Error naming it.
  static Config readConfig(const std::string& className, const nlohmann::json& config);
  // S (a subclass) from its config: S::fromConfig.
  template <class S>
  static std::unique_ptr<Schedule> fromConfigAs(const char* className,
                                                const nlohmann::json& config) {
    const Config k = readConfig(className, config);
    return std::make_unique<S>(k.initialLearningRate, k.decaySteps, k.decayRate, k.staircase);
  }
  double progress(long long step) const;  // step / decay_steps, floored when staircase

  const char* className_;
  double lr0_, steps_, rate_;
  bool staircase_;
};

}  // namespace tessel
