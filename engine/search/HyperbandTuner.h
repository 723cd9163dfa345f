#pragma once
// Hyperband (see Tuner.h): KerasTuner's HyperbandOracle brackets, run one trial at a time.
#include "engine/search/Tuner.h"

namespace tessel {

class HyperbandTuner : public Tuner {
 public:
  HyperbandTuner(const SearchSpace& space, const TunerSettings& settings);
  std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) override;
  bool readsScores(size_t index) const override;  // true in rounds > 0 (promotions)

 private:
  SearchSpace space_;
  TunerSettings settings_;
  std::vector<HyperbandRound> schedule_;
};

}  // namespace tessel
