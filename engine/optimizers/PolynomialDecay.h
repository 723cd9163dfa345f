#pragma once
// Keras PolynomialDecay (Keras defaults: ScheduleCatalog):
//   not cycling: s = min(step, decay_steps), D = decay_steps
//   cycling:     s = step, D = decay_steps * max(1, ceil(step / decay_steps))
//   lr = (lr0 - end) * (1 - s / D)^power + end
#include "engine/optimizers/Schedule.h"

namespace tessel {

class PolynomialDecay : public Schedule {
 public:
  PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate,
                  double power, bool cycle)
      : lr0_(initialLearningRate),
        steps_(decaySteps),
        end_(endLearningRate),
        power_(power),
        cycle_(cycle) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
  nlohmann::json toJson() const override;

 private:
  double lr0_, steps_, end_, power_;
  bool cycle_;
};

}  // namespace tessel
