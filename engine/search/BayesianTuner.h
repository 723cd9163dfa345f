#pragma once
// Bayesian optimisation (see Tuner.h): KerasTuner's BayesianOptimizationOracle.
#include "engine/search/Tuner.h"

namespace tessel {

class BayesianTuner : public Tuner {
 public:
  BayesianTuner(const SearchSpace& space, const TunerSettings& settings);
  std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) override;
  // The initial random points read no scores; the Gaussian process's do.
  bool readsScores(size_t index) const override {
    return static_cast<int>(index) >= settings_.numInitialPoints;
  }

  // KerasTuner's L-BFGS-B restarts.
  static constexpr int kRestarts = 50;

 private:
  SearchSpace space_;
  TunerSettings settings_;
};

}  // namespace tessel
