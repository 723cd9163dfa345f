#pragma once
// Keras 2 ReduceLROnPlateau: lr = max(lr * factor, min_lr) after `patience` epochs without
// improvement of `monitor`, then `cooldown` epochs of rest. Adds "lr" to the epoch logs.
#include <iostream>
#include <string>

#include "engine/callbacks/Callback.h"
#include "engine/callbacks/Monitor.h"

namespace tessel {

class ReduceLROnPlateau : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double factor = 0.1;
    int patience = 10;
    int verbose = 0;
    std::string mode = "auto";  // auto: max when the monitor contains "acc", else min
    double minDelta = 1e-4;
    int cooldown = 0;
    double minLr = 0;
    std::ostream* out = &std::cout;
  };
  ReduceLROnPlateau() : ReduceLROnPlateau(Options{}) {}
  explicit ReduceLROnPlateau(Options options);

  void onTrainBegin(const FitOptions&, int stepsPerEpoch) override;
  void onEpochEndLogs(int epoch, Logs& logs) override;

  double best() const { return best_; }
  const Options& options() const { return o_; }

  nlohmann::json toJson() const override;

 private:
  Options o_;
  Monitor op_;
  int wait_ = 0, cooldownCounter_ = 0;
  double best_ = 0;
};

}  // namespace tessel
