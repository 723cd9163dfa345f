#pragma once
// The training thread's side of a TrainingController: a TrainObserver that forwards every report
// to the run's recorder (when recording), fills the shared buffer the GUI timer drains (batch
// losses, epoch logs, learning rates, events, weight histograms), pauses the training thread on
// request and applies the learning rate or optimizer set while paused.
#include <QVariantMap>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/store/RunRecorder.h"
#include "engine/train/TrainObserver.h"
#include "engine/train/Trainer.h"
#include "ui/training/TrainingShared.h"

namespace tessel::ui {

// Logs as a QVariantMap (name -> value), for the queued signals.
QVariantMap logsToVariantMap(const Logs& logs);

// Forwards every report to the recorder (when recording), fills the shared buffer, pauses the
// training thread on request and applies learning-rate changes made while paused.
class TrainingBridge : public TrainObserver {
 public:
  TrainingBridge(std::shared_ptr<TrainingShared> shared, Trainer& trainer, Index trainSamples,
                 RunRecorder* recorder, std::string monitor, int bins);

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch) override;
  void onEpochBegin(int epoch) override;
  void onBatchEnd(int epoch, int batch, const Logs& logs) override;
  void onEpochEnd(int epoch, const Logs& logs) override;
  void onFinished(const History& history) override;
  void onFailed(const std::string& message) override;

  // A checkpoint written by ModelCheckpoint.
  void checkpointSaved(const std::string& path) { addEvent("checkpoint", {{"path", path}}, true); }

  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }

 private:
  int shared_epochs();
  // Blocks the training thread until resume() or stop(); records the events and applies a
  // learning rate set while paused.
  void waitWhilePaused();
  // Optimizer settings changed by hand while paused, applied on the training thread: the
  // optimizer is rebuilt from the new config, keeping its slot state when the class is the same.
  void applyOptimizer(const json& spec);
  // A learning rate set by hand, on the training thread between two batches.
  void applyLearningRate(double lr);
  // Adds a marker for the GUI; record = also write it into the project (events the recorder
  // does not write itself).
  void addEvent(const std::string& kind, const json& payload, bool record);

  std::shared_ptr<TrainingShared> shared_;
  Trainer& trainer_;
  Index trainSamples_;
  RunRecorder* recorder_;
  std::string monitor_;
  int bins_;
  Index batchSize_ = 32;
  int steps_ = 0, epoch_ = 0, lastBatch_ = -1;
  qint64 step_ = 0;
  double lastLr_ = 0, best_ = 0;
  bool haveBest_ = false, haveHist_ = false;
  std::chrono::steady_clock::time_point lastHist_;
  bool failed_ = false;
  std::string message_;
};

}  // namespace tessel::ui
