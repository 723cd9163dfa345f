#pragma once
// Keras LearningRateScheduler: at each epoch begin lr = schedule(epoch, lr) (epoch 0-based);
// adds "lr" to the epoch logs.
#include <functional>
#include <iostream>

#include "engine/callbacks/Callback.h"

namespace tessel {

class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0,
                                 std::ostream* out = &std::cout);
  void onEpochBegin(int epoch) override;
  void onEpochEndLogs(int epoch, Logs& logs) override;

 private:
  Schedule schedule_;
  int verbose_;
  std::ostream* out_;
};

}  // namespace tessel
