#pragma once
// The two-phase fine-tuning recipe of the Keras transfer-learning guide, as one run:
//   phase 1: train the new head with the base frozen (the graph's own trainable flags, plus
//            "freeze everything up to `baseEnd`" when given) for `headEpochs` epochs;
//   phase 2: "unfreeze the last `unfreezeLast` layers" (engine/graph/FineTune.h unfreezeLast),
//            recompile (Keras: model.compile again after changing trainable) with the learning
//            rate phase 1 ended at times `lrFactor`, and continue for `fineTuneEpochs` epochs
//            (fit's initial_epoch = headEpochs, so the history is one curve).
// Between the two, a "fine_tune" event (payload: phase, unfrozen layer names, learning rate) is
// recorded at epoch headEpochs, which the runs browser shows as a marker. Frozen
// BatchNormalization runs in inference mode in both phases (TF 2 / Keras 3 semantics, see
// FineTune.h). The optimizer state starts fresh in phase 2, as Keras's recompile does.
// JSON form (RunSettings's "fine_tune" key is not used: the recipe is its own object):
//   {"head_epochs": 5, "unfreeze_last": 20, "lr_factor": 0.1, "fine_tune_epochs": 5,
//    "base_end": ""}
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/session/RunSettings.h"
#include "engine/tensor/Tensor.h"
#include "engine/train/History.h"
#include "engine/train/TrainObserver.h"

namespace tessel {

class Project;
class Callback;
class TrainObserver;
class TrainingRun;
struct Dataset;

struct FineTuneRecipe {
  int headEpochs = 5;
  int unfreezeLast = 20;
  double lrFactor = 0.1;
  int fineTuneEpochs = 5;
  std::string baseEnd;  // "": keep the graph's flags in phase 1

  nlohmann::json toJson() const;
  // Throws Error naming a bad key or value (epochs >= 1, unfreeze_last >= 0, lr_factor > 0).
  static FineTuneRecipe fromJson(const nlohmann::json& j);

  // The graphs of the two phases.
  ModelSpec phase1(const ModelSpec& spec) const;
  ModelSpec phase2(const ModelSpec& spec) const;
};

struct FineTuneResult {
  History history;  // both phases, epochs 0 .. head + fine-tune - 1
  double phase2LearningRate = 0;
  std::vector<std::string> unfrozen;                    // phase 2's trainable layers, Keras order
  std::vector<std::pair<std::string, Tensor>> weights;  // the final weights, by full name
};

// What a caller adds to both phases' runs.
struct FineTuneHooks {
  // Weights to start from (the pretrained base, by full name "conv1_conv/kernel").
  const std::vector<std::pair<std::string, Tensor>>* initialWeights = nullptr;
  Project* project = nullptr;  // with runId: both phases recorded in that run
  std::int64_t runId = 0;
  std::vector<Callback*> callbacks;
  // Called on each phase's TrainingRun before it fits (validation data, verbose, out).
  std::function<void(TrainingRun&)> prepare;
  // The observer of phase `phase` (1 or 2), asked for after prepare and record; it forwards the
  // reports to run.recorder() itself (TrainingRun::fit's contract; the studio's bridge does).
  // Destroyed before the phase's TrainingRun. Unset or nullptr: the recorder alone.
  std::function<std::unique_ptr<TrainObserver>(TrainingRun& run, int phase)> observer;
};

// Runs both phases on `train` (settings.fit.epochs is ignored: the recipe's epochs count).
// With hooks.project the run hooks.runId records both phases (one curve, the "fine_tune" event
// between).
FineTuneResult fitTwoPhase(const ModelSpec& spec, const RunSettings& settings,
                           const FineTuneRecipe& recipe, const Dataset& train,
                           const FineTuneHooks& hooks = {});

}  // namespace tessel
