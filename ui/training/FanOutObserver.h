#pragma once
#include <memory>
#include <vector>

#include "engine/train/TrainObserver.h"

namespace tessel::ui {

// Sends every report to the controller's observer first, then to the extra observers.
class FanOutObserver : public TrainObserver {
 public:
  FanOutObserver(TrainObserver& first, std::vector<std::unique_ptr<TrainObserver>> rest)
      : first_(first), rest_(std::move(rest)) {}
  void onTrainBegin(const FitOptions& o, int steps) override {
    first_.onTrainBegin(o, steps);
    for (auto& r : rest_) r->onTrainBegin(o, steps);
  }
  void onEpochBegin(int epoch) override {
    first_.onEpochBegin(epoch);
    for (auto& r : rest_) r->onEpochBegin(epoch);
  }
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    first_.onBatchEnd(epoch, batch, logs);
    for (auto& r : rest_) r->onBatchEnd(epoch, batch, logs);
  }
  void onEpochEnd(int epoch, const Logs& logs) override {
    first_.onEpochEnd(epoch, logs);
    for (auto& r : rest_) r->onEpochEnd(epoch, logs);
  }
  void onFinished(const History& history) override {
    first_.onFinished(history);
    for (auto& r : rest_) r->onFinished(history);
  }
  void onFailed(const std::string& message) override {
    first_.onFailed(message);
    for (auto& r : rest_) r->onFailed(message);
  }

 private:
  TrainObserver& first_;
  std::vector<std::unique_ptr<TrainObserver>> rest_;
};

}  // namespace tessel::ui
