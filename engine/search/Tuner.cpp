#include "engine/search/Tuner.h"

#include "engine/core/Error.h"
#include "engine/search/BayesianTuner.h"
#include "engine/search/HyperbandTuner.h"
#include "engine/search/RandomValues.h"

namespace tessel {

namespace {

// KerasTuner GridSearch: every grid point once, in order.
class GridTuner : public Tuner {
 public:
  GridTuner(const SearchSpace& space, const TunerSettings& settings)
      : grid_(space.grid()), maxTrials_(settings.maxTrials) {}
  std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) override {
    const size_t i = previous.size();
    if (i >= grid_.size() || static_cast<int>(i) >= maxTrials_) return std::nullopt;
    TrialPlan p;
    p.values = grid_[i];
    return p;
  }
  bool readsScores(size_t) const override { return false; }

 private:
  std::vector<nlohmann::json> grid_;
  int maxTrials_;
};

// KerasTuner RandomSearch, seeded per trial index.
class RandomTuner : public Tuner {
 public:
  RandomTuner(const SearchSpace& space, const TunerSettings& settings)
      : space_(space), settings_(settings) {}
  std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) override {
    if (static_cast<int>(previous.size()) >= settings_.maxTrials) return std::nullopt;
    std::vector<nlohmann::json> tried;
    for (const auto& t : previous) tried.push_back(t.values);
    auto values = freshRandomValues(space_, settings_.seed, previous.size(), tried);
    if (!values) return std::nullopt;
    TrialPlan p;
    p.values = *values;
    return p;
  }
  bool readsScores(size_t) const override { return false; }

 private:
  SearchSpace space_;
  TunerSettings settings_;
};

}  // namespace

std::unique_ptr<Tuner> makeTuner(const SearchSpace& space, const TunerSettings& settings) {
  if (settings.maxTrials < 1) throw Error("search: the trial budget must be >= 1");
  if (settings.kind == "grid") return std::make_unique<GridTuner>(space, settings);
  if (settings.kind == "random") return std::make_unique<RandomTuner>(space, settings);
  if (settings.kind == "hyperband") return std::make_unique<HyperbandTuner>(space, settings);
  if (settings.kind == "bayesian") return std::make_unique<BayesianTuner>(space, settings);
  throw Error("search: unknown tuner '" + settings.kind +
              "' (known: random, grid, hyperband, bayesian)");
}

}  // namespace tessel
