#pragma once
// Keras CosineDecay (Keras defaults: ScheduleCatalog), Keras 2 form:
//   s = min(step, decay_steps);  lr = lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi s / decay_steps))
//   + alpha)
// The optional linear warmup of Keras 2.13+ (warmup_target, warmup_steps) is read and written
// only when warmup_target is set: lr0 -> warmup_target over warmup_steps, then the decay above
// from warmup_target over decay_steps.
#include <optional>

#include "engine/optimizers/Schedule.h"

namespace tessel {

class CosineDecay : public Schedule {
 public:
  CosineDecay(double initialLearningRate, double decaySteps, double alpha,
              std::optional<double> warmupTarget, double warmupSteps)
      : lr0_(initialLearningRate),
        steps_(decaySteps),
        alpha_(alpha),
        warmupTarget_(warmupTarget),
        warmupSteps_(warmupSteps) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
  nlohmann::json toJson() const override;

 private:
  double decay(double step, double lr) const;
  double lr0_, steps_, alpha_;
  std::optional<double> warmupTarget_;
  double warmupSteps_;
};

}  // namespace tessel
