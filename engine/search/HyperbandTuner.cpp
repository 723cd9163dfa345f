#include "engine/search/HyperbandTuner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/core/Error.h"
#include "engine/search/RandomValues.h"

namespace tessel {

std::vector<HyperbandRound> hyperbandSchedule(int maxEpochs, int factor, int iterations) {
  if (factor < 2) throw Error("hyperband: factor needs to be an integer larger than 1");
  if (maxEpochs < 1) throw Error("hyperband: max_epochs must be >= 1");
  // KerasTuner: brackets while epochs >= min_epochs (1), dividing by factor.
  int brackets = 0;
  for (double e = maxEpochs; e >= 1; e /= factor) ++brackets;
  // math.log(max_epochs, factor) is log(x) / log(base) in Python.
  const double bracket0EndSize =
      std::ceil(1 + std::log(double(maxEpochs)) / std::log(double(factor)));
  std::vector<HyperbandRound> out;
  for (int it = 0; it < std::max(1, iterations); ++it)
    for (int b = brackets - 1; b >= 0; --b)
      for (int r = 0; r <= b; ++r) {
        HyperbandRound round;
        round.bracket = b;
        round.round = r;
        round.size =
            static_cast<int>(std::ceil(bracket0EndSize / (b + 1) * std::pow(factor, b - r)));
        round.epochs = static_cast<int>(std::ceil(maxEpochs / std::pow(factor, b - r)));
        out.push_back(round);
      }
  return out;
}

HyperbandTuner::HyperbandTuner(const SearchSpace& space, const TunerSettings& settings)
    : space_(space),
      settings_(settings),
      schedule_(
          hyperbandSchedule(settings.maxEpochs, settings.factor, settings.hyperbandIterations)) {}

bool HyperbandTuner::readsScores(size_t index) const {
  size_t begin = 0;
  for (const HyperbandRound& round : schedule_) {
    if (index < begin + round.size) return round.round > 0;
    begin += round.size;
  }
  return false;  // past the schedule: no plan
}

std::optional<TrialPlan> HyperbandTuner::plan(const std::vector<TrialOutcome>& previous) {
  const size_t index = previous.size();
  if (static_cast<int>(index) >= settings_.maxTrials) return std::nullopt;
  size_t begin = 0;  // first trial index of the current round
  for (size_t k = 0; k < schedule_.size(); ++k) {
    const HyperbandRound& round = schedule_[k];
    if (index >= begin + round.size) {
      begin += round.size;
      continue;
    }
    TrialPlan p;
    p.epochs = round.epochs;
    p.bracket = round.bracket;
    p.round = round.round;
    const size_t slot = index - begin;
    if (round.round == 0) {
      std::vector<nlohmann::json> tried;
      for (const auto& t : previous) tried.push_back(t.values);
      auto values = freshRandomValues(space_, settings_.seed, index, tried);
      // A small discrete space may hold fewer points than the bracket: repeat one then.
      p.values = values ? *values : *freshRandomValues(space_, settings_.seed, index, {});
      return p;
    }
    // Successive halving: the best trials of the previous round, best first.
    const size_t prevSize = schedule_[k - 1].size;
    const size_t prevBegin = begin - prevSize;
    std::vector<size_t> order(prevSize);
    std::iota(order.begin(), order.end(), prevBegin);
    auto lossOf = [&](size_t i) {
      return previous[i].loss.value_or(std::numeric_limits<double>::infinity());
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return lossOf(a) < lossOf(b); });
    p.parent = static_cast<int>(order[std::min(slot, order.size() - 1)]);
    p.values = previous[p.parent].values;
    return p;
  }
  return std::nullopt;
}

}  // namespace tessel
