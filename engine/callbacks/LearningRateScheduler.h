#pragma once
// Keras LearningRateScheduler: at each epoch begin lr = schedule(epoch, lr) (epoch 0-based);
// adds "lr" to the epoch logs. The schedule is a function, or a Keras LearningRateSchedule
// (Schedule.h) evaluated at the epoch index, which is the form that serializes.
#include <functional>
#include <iostream>
#include <memory>

#include "engine/callbacks/Callback.h"
#include "engine/optimizers/Schedule.h"

namespace tessel {

class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0,
                                 std::ostream* out = &std::cout);
  explicit LearningRateScheduler(std::shared_ptr<const tessel::Schedule> schedule, int verbose = 0,
                                 std::ostream* out = &std::cout);
  void onEpochBegin(int epoch) override;
  void onEpochEndLogs(int epoch, Logs& logs) override;

  nlohmann::json toJson() const override;

 private:
  Schedule schedule_;
  int verbose_;
  std::ostream* out_;
  nlohmann::json scheduleJson_;  // null when the schedule is a function
};

}  // namespace tessel
