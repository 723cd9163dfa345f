#include "engine/callbacks/ReduceLROnPlateau.h"

#include <algorithm>
#include <cstdio>

#include "engine/train/Trainer.h"

namespace tessel {

ReduceLROnPlateau::ReduceLROnPlateau(Options options) : o_(std::move(options)) {
  if (o_.factor >= 1.0) throw Error("ReduceLROnPlateau does not support a factor >= 1.0");
  op_ = Monitor::make("ReduceLROnPlateau", o_.mode, o_.monitor.find("acc") != std::string::npos,
                      o_.minDelta);
}

void ReduceLROnPlateau::onTrainBegin(const FitOptions&, int) {
  if (trainer && trainer->optimizer().schedule())
    throw Error(
        "ReduceLROnPlateau: the optimizer's learning rate is a schedule; use a constant "
        "learning rate");
  wait_ = 0;
  cooldownCounter_ = 0;
  best_ = op_.worst();
}

void ReduceLROnPlateau::onEpochEndLogs(int epoch, Logs& logs) {
  Optimizer& opt = trainer->optimizer();
  setLog(logs, "lr", opt.learningRate());  // Keras 2 adds logs["lr"]
  auto current = findLog(logs, o_.monitor);
  if (!current) {
    if (o_.out) {
      *o_.out << "Learning rate reduction is conditioned on metric `" << o_.monitor
              << "` which is not available. Available metrics are:";
      for (size_t i = 0; i < logs.size(); ++i) *o_.out << (i ? "," : " ") << logs[i].first;
      *o_.out << "\n";
    }
    onEpochEnd(epoch, logs);
    return;
  }
  if (cooldownCounter_ > 0) {
    --cooldownCounter_;
    wait_ = 0;
  }
  if (op_.improved(*current, best_)) {
    best_ = *current;
    wait_ = 0;
  } else if (cooldownCounter_ <= 0) {
    ++wait_;
    if (wait_ >= o_.patience) {
      const double oldLr = opt.learningRate();
      if (static_cast<float>(oldLr) > static_cast<float>(o_.minLr)) {  // float32 as Keras
        const double newLr = std::max(oldLr * o_.factor, o_.minLr);
        opt.setLearningRate(newLr);
        if (o_.verbose > 0 && o_.out) {
          char buf[128];
          std::snprintf(buf, sizeof buf,
                        "Epoch %d: ReduceLROnPlateau reducing learning rate to %g.", epoch + 1,
                        newLr);
          *o_.out << buf << "\n";
        }
        cooldownCounter_ = o_.cooldown;
        wait_ = 0;
      }
    }
  }
  onEpochEnd(epoch, logs);
}

nlohmann::json ReduceLROnPlateau::toJson() const {
  return {{"class_name", "ReduceLROnPlateau"},
          {"config",
           {{"monitor", o_.monitor},
            {"factor", o_.factor},
            {"patience", o_.patience},
            {"verbose", o_.verbose},
            {"mode", o_.mode},
            {"min_delta", o_.minDelta},
            {"cooldown", o_.cooldown},
            {"min_lr", o_.minLr}}}};
}

}  // namespace tessel
