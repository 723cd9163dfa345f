#include "engine/callbacks/LearningRateScheduler.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/train/Trainer.h"

namespace tessel {

LearningRateScheduler::LearningRateScheduler(Schedule schedule, int verbose, std::ostream* out)
    : schedule_(std::move(schedule)), verbose_(verbose), out_(out) {
  if (!schedule_) throw Error("LearningRateScheduler: no schedule function");
}

void LearningRateScheduler::onEpochBegin(int epoch) {
  Optimizer& opt = trainer->optimizer();
  const double lr = schedule_(epoch, opt.learningRate());
  if (!std::isfinite(lr))
    throw Error("LearningRateScheduler: the schedule returned a non-finite learning rate");
  opt.setLearningRate(lr);
  if (verbose_ > 0 && out_)
    *out_ << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to " << lr
          << ".\n";
}

void LearningRateScheduler::onEpochEndLogs(int epoch, Logs& logs) {
  setLog(logs, "lr", trainer->optimizer().learningRate());
  onEpochEnd(epoch, logs);
}

LearningRateScheduler::LearningRateScheduler(std::shared_ptr<const tessel::Schedule> schedule,
                                             int verbose, std::ostream* out)
    : LearningRateScheduler(
          [schedule](int epoch, double) {
            // Keras calls schedule(epoch, lr), then schedule(epoch) for a one-argument schedule
            // such as a LearningRateSchedule: the schedule's step is the epoch.
            return (*schedule)(epoch);
          },
          verbose, out) {
  if (!schedule) throw Error("LearningRateScheduler: no schedule");
  scheduleJson_ = schedule->toJson();
}

nlohmann::json LearningRateScheduler::toJson() const {
  return {{"class_name", "LearningRateScheduler"},
          {"config", {{"schedule", scheduleJson_}, {"verbose", verbose_}}}};
}

}  // namespace tessel
