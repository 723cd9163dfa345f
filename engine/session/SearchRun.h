#pragma once
// A hyperparameter search run headless, for the command line (`tessel search`) and the studio
// (on its training thread) alike. Trials run one after another with all compute threads, or
// SearchSettings::parallel at a time, each on its own thread with threads / parallel OpenMP
// (Eigen) threads: a trial starts as soon as a slot is free and the tuner's plan for it does not
// read the scores of trials still running (Tuner::readsScores), so every trial gets the values
// and the seed it gets in a sequential search and scores the same. The project connection is
// shared and used under one lock (one transaction at a time); progress lines are written whole,
// the trainer's per-epoch lines are left out, and observer calls are serialised. Each trial is a
// run of the
// project (named "search S trial N") linked to its search by a row of the trials table:
//   trials.params_json = {"index": N (0-based, in running order), "values": {name: value},
//                         "epochs": E, "bracket": B, "round": R (hyperband, else -1),
//                         "baseline": true for the model's own settings (SearchSettings),
//                         "status": "running" | "finished" | "failed",
//                         "fold_scores": [...], "spread": population std of the fold scores,
//                         "epochs_trained": [per fold], "message": why it failed,
//                         "parent": the index of the trial a Hyperband promotion continues (-1),
//                         "initial_epoch": its first epoch (0 = trained from scratch)}
//   trials.score       = the mean of the fold scores (NULL until finished, and for failures)
// The trial's run holds the curves (each epoch's logs averaged over the folds that reached that
// epoch) and one "fold_end" event per fold ({"fold", "score", "epochs"}).
// Scores: with k folds (SearchSettings::folds >= 2, scikit-learn KFold semantics over the
// training data, shuffled with the search seed) fold i trains on the other folds with fold i as
// validation data; the fold's score is the objective's best epoch value (KerasTuner's rule: min
// or max by direction; a "val_" objective is measured on the held-out fold). With folds = 1 the
// data's own validation split is the validation data. Early stopping (patience >= 0) watches the
// objective in each fold.
// Hyperband promotions (TrialPlan::parent) with folds = 1 continue as KerasTuner's do: the trial
// starts from the "last" checkpoint (weights and optimizer state, RunRecorder's form) that its
// parent trial saved with its scores, and trains epochs initial_epoch .. epochs - 1 only
// (initial_epoch = the parent's last epoch + 1); its score and curves are those extra epochs'.
// Trials of a bracket's earlier rounds save that checkpoint in their run. With k folds there is
// no single checkpoint: a promoted trial retrains from scratch (said in the progress output).
// Crash safety: a trial's row and run are written in one transaction before it trains, and its
// scores, curves and status in one transaction after; a search resumed after a crash or a stop
// keeps its finished trials and restarts the one that was running (same values: tuners are pure
// functions of the finished trials), so no trial is lost or run twice.
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"
#include "engine/search/SearchSpace.h"
#include "engine/search/Tuner.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "engine/train/FitOptions.h"
#include "engine/train/Logs.h"

namespace tessel {

class Model;
class Trainer;

struct SearchSettings {
  TunerSettings tuner;
  int folds = 3;  // cv; 1 = train once on the data's training split
  std::string objective = "val_loss";
  std::string direction;  // "min" or "max"; "" = min unless acc/accuracy/auc
  int epochs = 10;        // per trial (hyperband: its max_epochs)
  int patience = -1;      // early stopping per trial; < 0 = none
  double maxSeconds = 0;  // no new trial starts after this; 0 = no limit
  bool baseline = false;  // also score the model's own settings (trial 0)
  int parallel = 1;       // trials run at a time (threads divided among them)
  bool maximize() const;
  nlohmann::json toJson() const;
  static SearchSettings fromJson(const nlohmann::json& j);  // Error for bad values
};

// One trial as read back from the project.
struct SearchTrial {
  std::int64_t id = 0, runId = 0;
  int index = 0;
  nlohmann::json values;
  bool baseline = false;
  std::string status;
  std::optional<double> score;
  std::vector<double> foldScores;
  double spread = 0;
  int epochs = 0;
  int bracket = -1, round = -1;
  std::vector<int> epochsTrained;
  int parent = -1;       // the trial (index) a Hyperband promotion continues
  int initialEpoch = 0;  // > 0: continued from the parent's checkpoint at this epoch
};

// What a running search reports (every call on the search's thread).
class SearchObserver {
 public:
  virtual ~SearchObserver() = default;
  virtual void onTrialBegin(const SearchTrial& /*trial*/) {}
  virtual void onEpochEnd(const SearchTrial& /*trial*/, int /*fold*/, int /*epoch*/,
                          const Logs& /*logs*/) {}
  virtual void onTrialEnd(const SearchTrial& /*trial*/) {}
  // A fold's model before it trains (initialised, or restored from the parent's checkpoint) and
  // after (its final weights).
  virtual void onFoldBegin(const SearchTrial& /*trial*/, int /*fold*/, Model& /*model*/) {}
  virtual void onFoldEnd(const SearchTrial& /*trial*/, int /*fold*/, Model& /*model*/) {}
};

class SearchRun {
 public:
  // Records a new search of model `modelId` (the space, the settings, the model's spec and the
  // run settings every trial starts from) and returns its id. Checks the space's targets against
  // the model and settings first (Error).
  static std::int64_t create(Project& project, std::int64_t modelId, const SearchSpace& space,
                             const SearchSettings& settings, const ModelSpec& spec,
                             const RunSettings& base);
  // Opens search `searchId` of `project` (the project must outlive this object).
  SearchRun(Project& project, std::int64_t searchId);
  ~SearchRun();

  std::int64_t searchId() const { return searchId_; }
  const SearchSpace& space() const { return space_; }
  const SearchSettings& settings() const { return settings_; }
  const RunSettings& baseSettings() const { return base_; }
  const ModelSpec& baseSpec() const { return spec_; }

  // The data trials train on; without it run() builds base settings' data (buildDataset).
  void setData(Dataset train, std::optional<Dataset> validation);
  // Checks everything that can be checked before any trial runs, with clear errors: the data
  // can be built, folds <= training samples, the objective is logged by this model's compile
  // settings (loss, metrics, and their val_ forms when there is validation data), the tuner's
  // settings. run() calls it first.
  void validate();
  // Runs (or resumes) the search until the tuner is done, the trial or time budget is spent, or
  // requestStop(). out: KerasTuner-style progress lines (nullptr = none); verbose 2 adds the
  // trainer's per-epoch lines. Returns the number of trials run by this call.
  int run(std::ostream* out = nullptr, int verbose = 1, SearchObserver* observer = nullptr);
  // Thread-safe: the running trials stop after their current batch and stay unfinished.
  void requestStop();
  // Trials at a time for this run (overrides the recorded setting, e.g. on resume); >= 1.
  void setParallel(int n) { settings_.parallel = n < 1 ? 1 : n; }

  // The trials recorded so far, in index order.
  std::vector<SearchTrial> trials() const;
  static std::vector<SearchTrial> trialsOf(const Project& project, std::int64_t searchId);
  // The best finished trial (by direction), if any.
  std::optional<SearchTrial> best() const;

 private:
  struct Data;
  void loadData();
  void runTrial(SearchTrial& trial, std::ostream* out, int verbose, SearchObserver* observer);
  double foldScore(const std::vector<double>& values) const;

  Project& project_;
  std::int64_t searchId_;
  std::int64_t modelId_ = 0;
  SearchSpace space_;
  SearchSettings settings_;
  ModelSpec spec_;
  RunSettings base_;
  std::unique_ptr<Data> data_;
  std::atomic<bool> stop_{false};
  std::mutex trainerMutex_;
  std::set<Trainer*> trainers_;  // the running folds', for requestStop
  std::mutex projectMutex_;      // project_ from several trial threads
  std::mutex outMutex_;          // progress lines
};

}  // namespace tessel
