#pragma once
// A tuner proposes the hyperparameters of trial i from the outcomes of trials 0..i-1. Every tuner
// is a pure function of (space, settings, seed, previous outcomes): a search that is resumed
// after a crash asks again for the trial that was running and gets the same values, and no
// state has to be saved besides the trials themselves.
//   grid      every point of SearchSpace::grid(), in order (KerasTuner GridSearch)
//   random    SearchSpace::sample with an Rng seeded from (seed, trial index); a value set already
//             tried is drawn again, up to 20 times (KerasTuner's _max_collisions), then the
//             search stops
//   hyperband KerasTuner's HyperbandOracle brackets for (max_epochs, factor): bracket b of
//             num_brackets - 1 .. 0 has b + 1 rounds; round r has
//             ceil(ceil(1 + log_factor(max_epochs)) / (b + 1) * factor^(b - r)) trials trained
//             for ceil(max_epochs / factor^(b - r)) epochs; round 0 draws random values, round
//             r > 0 takes the best trials of round r - 1 (not yet promoted), best first. A
//             promoted trial names the trial it continues (TrialPlan::parent): as KerasTuner,
//             the search starts it from that trial's final weights and optimizer state and
//             trains only the extra epochs (SearchRun.h; with k-fold trials, which have no single
//             checkpoint, it retrains from scratch).
//   bayesian  KerasTuner's BayesianOptimizationOracle: num_initial_points random trials
//             (default 3 x the number of parameters), then a Gaussian process (Matern 5/2,
//             alpha 1e-4, y normalised, length scale by maximum likelihood as KerasTuner 1.0's
//             scikit-learn GP did: GaussianProcess.h) on the encoded completed trials and the
//             point minimising the lower confidence bound mu - beta * sigma (beta 2.6; minimised
//             over [0,1]^d from 50 random starts, each refined by NLopt's bounded Subplex).
// Scores given to tuners are "lower is better" (the caller negates max objectives).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"

namespace tessel {

struct TunerSettings {
  std::string kind = "random";  // grid, random, hyperband, bayesian
  int maxTrials = 10;           // upper bound on trials (grid and hyperband may stop earlier)
  std::uint64_t seed = 0;
  int maxEpochs = 27, factor = 3, hyperbandIterations = 1;  // hyperband
  int numInitialPoints = 0;                                 // bayesian; 0 = 3 x dimensions
  double alpha = 1e-4, beta = 2.6;                          // bayesian
};

struct TrialPlan {
  nlohmann::json values;  // parameter name -> value
  int epochs = 0;         // 0 = the search's epochs; hyperband sets it
  int bracket = -1, round = -1;
  int parent = -1;  // hyperband promotion: the index in `previous` of the trial it continues
};

struct TrialOutcome {
  nlohmann::json values;
  std::optional<double> loss;  // the objective, lower is better; none = failed
  int bracket = -1, round = -1;
};

class Tuner {
 public:
  virtual ~Tuner() = default;
  // The plan of trial `index` (= previous.size()), or none when the search is complete.
  virtual std::optional<TrialPlan> plan(const std::vector<TrialOutcome>& previous) = 0;
  // Whether the plan of trial `index` reads the losses of earlier trials. When it does not (grid,
  // random, Hyperband's first rounds, Bayesian's initial points) the trial may be planned while
  // earlier trials still run (their values given, their losses not yet), and gets the same plan
  // as in a sequential search: what running N trials at a time (SearchSettings::parallel) relies
  // on to give the sequential search's trials.
  virtual bool readsScores(size_t /*index*/) const { return true; }
};

// Throws Error for an unknown kind or bad settings (factor < 2, ...).
std::unique_ptr<Tuner> makeTuner(const SearchSpace& space, const TunerSettings& settings);

// Hyperband's schedule (exposed for tests): one entry per round in the order trials run.
struct HyperbandRound {
  int bracket = 0, round = 0, size = 0, epochs = 0;
};
std::vector<HyperbandRound> hyperbandSchedule(int maxEpochs, int factor, int iterations = 1);

}  // namespace tessel
