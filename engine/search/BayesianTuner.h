#pragma once
// Bayesian optimisation (see Tuner.h): KerasTuner's BayesianOptimizationOracle.
#include "engine/search/Tuner.h"

namespace tessel {

class BayesianTuner : public Tuner {
 public:
  BayesianTuner(const SearchSpace& space, const TunerSettings& settings);
  std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) override;

  // KerasTuner's L-BFGS-B restarts.
  static constexpr int kRestarts = 50;

 private:
  SearchSpace space_;
  TunerSettings settings_;
};

}  // namespace tessel
