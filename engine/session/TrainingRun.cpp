#include "engine/session/TrainingRun.h"

#include "engine/session/CheckpointRestore.h"

namespace tessel {

TrainingRun::TrainingRun(const ModelSpec& spec, const RunSettings& settings)
    : spec_(spec), settings_(settings), fit_(settings.fitOptions()) {
  model_ = std::make_unique<Model>(spec_, settings_.fit.seed);
  trainer_ = std::make_unique<Trainer>(*model_, settings_.compile);
}

TrainingRun::~TrainingRun() = default;

void TrainingRun::loadWeights(const std::vector<std::pair<std::string, Tensor>>& weights) {
  model_->loadNamedWeights(weights);
}

void TrainingRun::restore(const Checkpoint& checkpoint) {
  restoreCheckpoint(*trainer_, checkpoint);
  fit_.initialEpoch = checkpoint.epoch + 1;
}

void TrainingRun::setValidationData(std::optional<Dataset> validation) {
  fit_.validationData = std::move(validation);
}

std::string TrainingRun::monitor() const {
  return fit_.validationData || fit_.validationSplit > 0 ? "val_loss" : "loss";
}

void TrainingRun::record(Project& project, std::int64_t runId) {
  runId_ = runId;
  recorder_ = std::make_unique<RunRecorder>(project, runId, *trainer_, monitor());
}

History TrainingRun::fit(const Dataset& train, const std::vector<Callback*>& callbacks,
                         TrainObserver* observer) {
  if (recorder_ && fit_.initialEpoch > 0)
    recorder_->addEvent("resume", {{"from_checkpoint_epoch", fit_.initialEpoch - 1}});
  return trainer_->fit(train, fit_, callbacks, observer ? observer : recorder_.get());
}

Logs TrainingRun::evaluateTest(const Dataset& test) {
  Logs logs = trainer_->evaluate(test, fit_.batchSize, fit_.device);
  if (recorder_) {
    json payload = json::object();
    for (const auto& [name, value] : logs) payload[name] = value;
    payload["samples"] = test.size();
    recorder_->addEvent("test", payload);
  }
  return logs;
}

}  // namespace tessel
