#pragma once
// Keras 2 EarlyStopping: stop when `monitor` has not improved for `patience` epochs.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"
#include "engine/callbacks/Monitor.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

class EarlyStopping : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double minDelta = 0;
    int patience = 0;
    int verbose = 0;
    std::string mode = "auto";  // auto: max for names ending in acc/accuracy/auc, else min
    std::optional<double> baseline;
    bool restoreBestWeights = false;
    int startFromEpoch = 0;
    std::ostream* out = &std::cout;  // verbose messages and the missing-monitor warning
  };
  EarlyStopping() : EarlyStopping(Options{}) {}
  explicit EarlyStopping(Options options);

  void onTrainBegin(const FitOptions&, int stepsPerEpoch) override;
  void onEpochEnd(int epoch, const Logs& logs) override;
  void onFinished(const History&) override;

  int stoppedEpoch() const { return stoppedEpoch_; }  // 0-based; 0 = did not stop
  int bestEpoch() const { return bestEpoch_; }
  double best() const { return best_; }
  const Options& options() const { return o_; }

  nlohmann::json toJson() const override;

 private:
  Options o_;
  Monitor op_;
  int wait_ = 0, stoppedEpoch_ = 0, bestEpoch_ = 0;
  double best_ = 0;
  bool haveBestWeights_ = false;
  std::vector<Tensor> bestWeights_;
};

}  // namespace tessel
