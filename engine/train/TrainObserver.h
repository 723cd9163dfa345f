#pragma once
// Progress reports of Trainer::fit, all called on the training thread. Epochs are 0-based (as
// Keras callbacks see them), batches 0-based within the epoch.
#include <string>

#include "engine/train/FitOptions.h"
#include "engine/train/History.h"
#include "engine/train/Logs.h"

namespace tessel {

class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void onTrainBegin(const FitOptions&, int /*stepsPerEpoch*/) {}
  virtual void onEpochBegin(int /*epoch*/) {}
  // logs: running "loss" (and per-output losses) of the epoch so far. Metrics are computed at
  // epoch end only (keeps the hot loop lean).
  virtual void onBatchEnd(int /*epoch*/, int /*batch*/, const Logs&) {}
  virtual void onEpochEnd(int /*epoch*/, const Logs&) {}
  virtual void onFinished(const History&) {}
  // Training stopped on a numeric failure (NaN/Inf loss); fit() still returns the History.
  virtual void onFailed(const std::string& /*message*/) {}
};

}  // namespace tessel
