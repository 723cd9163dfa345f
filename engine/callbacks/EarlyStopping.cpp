#include "engine/callbacks/EarlyStopping.h"

#include "engine/train/Trainer.h"

namespace tessel {

EarlyStopping::EarlyStopping(Options options) : o_(std::move(options)) {
  const std::string& m = o_.monitor;
  bool autoGreater = Monitor::endsWith(m, "acc") || Monitor::endsWith(m, "accuracy") ||
                     Monitor::endsWith(m, "auc");
  op_ = Monitor::make("EarlyStopping", o_.mode, autoGreater, o_.minDelta);
  if (o_.patience < 0) throw Error("EarlyStopping: patience must be >= 0");
}

void EarlyStopping::onTrainBegin(const FitOptions&, int) {
  wait_ = 0;
  stoppedEpoch_ = 0;
  bestEpoch_ = 0;
  best_ = op_.worst();
  haveBestWeights_ = false;
}

void EarlyStopping::onEpochEnd(int epoch, const Logs& logs) {
  auto current = findLog(logs, o_.monitor);
  if (!current) {
    if (o_.out) {
      *o_.out << "Early stopping conditioned on metric `" << o_.monitor
              << "` which is not available. Available metrics are:";
      for (size_t i = 0; i < logs.size(); ++i) *o_.out << (i ? "," : " ") << logs[i].first;
      *o_.out << "\n";
    }
    return;
  }
  if (epoch < o_.startFromEpoch) return;
  Model& model = trainer->model();
  if (o_.restoreBestWeights && !haveBestWeights_) {
    // Keras 2: keep the first epoch's weights when no progress is ever made.
    model.copyWeightsTo(bestWeights_);
    haveBestWeights_ = true;
  }
  ++wait_;
  if (op_.improved(*current, best_)) {
    best_ = *current;
    bestEpoch_ = epoch;
    if (o_.restoreBestWeights) model.copyWeightsTo(bestWeights_);
    // Only restart the wait when beating both the baseline and the previous best.
    if (!o_.baseline || op_.improved(*current, *o_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= o_.patience && epoch > 0) {
    stoppedEpoch_ = epoch;
    trainer->requestStop();
    if (o_.restoreBestWeights && haveBestWeights_) {
      if (o_.verbose > 0 && o_.out)
        *o_.out << "Restoring model weights from the end of the best epoch: " << bestEpoch_ + 1
                << ".\n";
      model.setWeights(bestWeights_);
    }
  }
}

void EarlyStopping::onFinished(const History&) {
  if (stoppedEpoch_ > 0 && o_.verbose > 0 && o_.out)
    *o_.out << "Epoch " << stoppedEpoch_ + 1 << ": early stopping\n";
}

nlohmann::json EarlyStopping::toJson() const {
  return {{"class_name", "EarlyStopping"},
          {"config",
           {{"monitor", o_.monitor},
            {"min_delta", o_.minDelta},
            {"patience", o_.patience},
            {"verbose", o_.verbose},
            {"mode", o_.mode},
            {"baseline", o_.baseline ? nlohmann::json(*o_.baseline) : nlohmann::json(nullptr)},
            {"restore_best_weights", o_.restoreBestWeights},
            {"start_from_epoch", o_.startFromEpoch}}}};
}

}  // namespace tessel
