#pragma once
// Keras's ProgbarLogger as fit(verbose=2) prints it: "Epoch i/n" at each epoch begin, one line
// "done/steps - 3s - loss: 0.1234 - val_loss: ..." at each epoch end (the logs as the callbacks
// before it in the list left them), and the failure message when a NaN/Inf loss stops training.
// fit() puts it first in its CallbackList when verbose > 0, as Keras 2 does.
#include <chrono>
#include <ostream>
#include <string>

#include "engine/callbacks/Callback.h"

namespace tessel {

class ProgressLogger : public Callback {
 public:
  explicit ProgressLogger(std::ostream& out) : out_(out) {}

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch) override;
  void onEpochBegin(int epoch) override;
  void onBatchEnd(int, int, const Logs&) override { ++done_; }
  void onEpochEnd(int epoch, const Logs& logs) override;
  void onFailed(const std::string& message) override;

  // Keras's progbar number format: '%.4f' above 1e-3 in magnitude, else '%.4e'.
  static std::string formatValue(double v);
  // Keras verbose=2 time: "3s", "250ms", "80us".
  static std::string formatTime(double seconds);

 private:
  std::ostream& out_;
  int epochs_ = 0, steps_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point epochStart_;
};

}  // namespace tessel
