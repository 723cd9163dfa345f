#pragma once
// Writes a training run into a project file while it trains: a TrainObserver for Trainer::fit.
// Batch losses go into an open transaction committed at least once a second and at every epoch
// end (so a crash loses at most about a second); epoch logs, the "last" checkpoint (weights +
// optimizer state) every epoch and the "best" checkpoint when the monitored value improves,
// events (best_epoch, checkpoint, lr_change, nan, stop). The recorder owns no connection: give
// it a Project opened on the training thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/store/Project.h"
#include "engine/train/Trainer.h"

namespace tessel {

class RunRecorder : public TrainObserver {
 public:
  // monitor: the value that defines "best" ("val_loss" when validation exists, else "loss").
  RunRecorder(Project& project, std::int64_t runId, Trainer& trainer,
              std::string monitor = "val_loss");
  ~RunRecorder() override;

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch) override;
  void onBatchEnd(int epoch, int batch, const Logs& logs) override;
  void onEpochEnd(int epoch, const Logs& logs) override;
  void onFinished(const History& history) override;
  void onFailed(const std::string& message) override;

  // Commit interval for batch rows (default 1 s).
  void setCommitInterval(std::chrono::milliseconds ms) { commitInterval_ = ms; }
  // Records a user event (pause, resume, lr change by hand) at the current step.
  void addEvent(const std::string& kind, const json& payload);
  // Commits pending batch rows now (before a pause, so nothing waits in a transaction).
  void flush() { commitNow(); }
  // The learning rate set by hand (already recorded as an event): not reported again at epoch end.
  void setLastLearningRate(double lr) { lastLr_ = lr; }
  // Who asked fit() to stop: with false, a stop requested by a callback (EarlyStopping) ends the
  // run "finished" with an "early_stop" event instead of "stopped". Unset = trainer's stop flag.
  void setUserStop(bool userStop) { userStop_ = userStop ? 1 : 0; }

 private:
  void ensureTransaction();
  void commitNow();
  Project& project_;
  std::int64_t runId_;
  Trainer& trainer_;
  std::string monitor_;
  int stepsPerEpoch_ = 0;
  int lastBatch_ = -1;  // 0-based batch index last reported in the current epoch
  int epoch_ = 0;
  std::int64_t step_ = 0;
  double best_ = 0;
  bool haveBest_ = false;
  bool failed_ = false;
  double lastLr_ = -1;
  int userStop_ = -1;  // -1 unknown, 0 no, 1 yes
  std::chrono::milliseconds commitInterval_{1000};
  std::chrono::steady_clock::time_point lastCommit_;
  std::vector<std::pair<std::string, double>> batchRow_;
};

// Checkpoint contents: every weight (Keras order, float32) and the optimizer state (slots,
// iterations, learning rate), with names and shapes in meta so a mismatch is reported clearly.
Checkpoint makeCheckpoint(Trainer& trainer, const std::string& kind, int epoch, std::int64_t step);
// (Restoring a checkpoint, and reading a run's settings back: engine/session.)

// The "best epoch" rule shared by the recorder and the UI's training job: the value of `monitor`
// in `logs` (val_loss falls back to loss when there is no validation) when it is finite and better
// than `best` (lower, unless the monitor is an accuracy, AUC or IoU), or when there is no best yet
// (haveBest false); best and haveBest are then updated. nullopt otherwise.
std::optional<double> improvedMonitorValue(const Logs& logs, const std::string& monitor,
                                           double& best, bool& haveBest);
// Whether a learning rate moved from `from` to `to` (beyond rounding: relative 1e-12).
bool learningRateChanged(double from, double to);

}  // namespace tessel
