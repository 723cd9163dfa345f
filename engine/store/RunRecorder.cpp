#include "engine/store/RunRecorder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/core/Error.h"

namespace tessel {

namespace {

void appendTensor(std::vector<std::uint8_t>& out, const Tensor& t) {
  size_t bytes = static_cast<size_t>(t.size()) * sizeof(float);
  size_t at = out.size();
  out.resize(at + bytes);
  if (bytes) std::memcpy(out.data() + at, t.data(), bytes);
}

bool lowerIsBetter(const std::string& monitor) {
  return !(monitor.find("acc") != std::string::npos || monitor.find("auc") != std::string::npos ||
           monitor.find("iou") != std::string::npos);
}

// A failed write (disk full, a file system gone read-only, an I/O error) rolls the open
// transaction back, so the project keeps what earlier commits recorded, and stops training
// with one line.
template <class F>
void writeOrStop(Project& project, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    try {
      if (project.inTransaction()) project.rollback();
    } catch (const Error&) {
    }
    std::string why = e.what();
    if (why.rfind("project file: ", 0) == 0) why.erase(0, 14);
    throw Error("training stopped: cannot write to the project file (" + why + ")");
  }
}

}  // namespace

std::optional<double> improvedMonitorValue(const Logs& logs, const std::string& monitor,
                                           double& best, bool& haveBest) {
  auto value = findLog(logs, monitor);
  if (!value && monitor == "val_loss") value = findLog(logs, "loss");
  if (!value || !std::isfinite(*value)) return std::nullopt;
  if (haveBest && (lowerIsBetter(monitor) ? *value >= best : *value <= best)) return std::nullopt;
  best = *value;
  haveBest = true;
  return value;
}

bool learningRateChanged(double from, double to) {
  return std::fabs(to - from) > 1e-12 * std::max(1.0, std::fabs(from));
}

Checkpoint makeCheckpoint(Trainer& trainer, const std::string& kind, int epoch, std::int64_t step) {
  Checkpoint c;
  c.kind = kind;
  c.epoch = epoch;
  c.step = step;
  json names = json::array();
  for (auto& [name, var] : trainer.model().namedWeights()) {
    names.push_back({{"name", name}, {"shape", var->value.shape()}});
    appendTensor(c.weights, var->value);
  }
  Optimizer& opt = trainer.optimizer();
  json slots = json::array();
  auto state = opt.state();
  auto stateNames = opt.stateNames();
  for (size_t i = 0; i < state.size(); ++i) {
    slots.push_back({{"name", i < stateNames.size() ? stateNames[i] : std::to_string(i)},
                     {"shape", state[i]->shape()}});
    appendTensor(c.optimizer, *state[i]);
  }
  c.meta = {{"weights", names},
            {"optimizer", opt.name()},
            {"optimizer_config", opt.config()},
            {"slots", slots},
            {"iterations", opt.iterations()},
            {"learning_rate", opt.learningRate()},
            {"has_schedule", opt.schedule() != nullptr}};
  return c;
}

RunRecorder::RunRecorder(Project& project, std::int64_t runId, Trainer& trainer,
                         std::string monitor)
    : project_(project), runId_(runId), trainer_(trainer), monitor_(std::move(monitor)) {}

RunRecorder::~RunRecorder() {
  try {
    if (project_.inTransaction()) project_.commit();
  } catch (...) {
  }
}

void RunRecorder::ensureTransaction() {
  if (!project_.inTransaction()) {
    project_.begin();
    lastCommit_ = std::chrono::steady_clock::now();
  }
}

void RunRecorder::commitNow() {
  if (project_.inTransaction()) project_.commit();
  lastCommit_ = std::chrono::steady_clock::now();
}

void RunRecorder::onTrainBegin(const FitOptions& options, int stepsPerEpoch) {
  writeOrStop(project_, [&] {
    stepsPerEpoch_ = stepsPerEpoch;
    epoch_ = options.initialEpoch;
    step_ = static_cast<std::int64_t>(options.initialEpoch) * stepsPerEpoch;
    project_.setTrainingMode(true);
    if (options.initialEpoch > 0) {
      // Resuming: the curves continue from the last completed epoch.
      project_.deleteMetricsAfter(runId_, options.initialEpoch - 1);
      if (auto best = project_.bestMetric(runId_, monitor_)) best_ = *best, haveBest_ = true;
    }
    project_.setRunStatus(runId_, RunStatus::Running);
    lastLr_ = trainer_.optimizer().currentLearningRate();
    lastCommit_ = std::chrono::steady_clock::now();
  });
}

void RunRecorder::onBatchEnd(int epoch, int batch, const Logs& logs) {
  writeOrStop(project_, [&] {
    epoch_ = epoch;
    lastBatch_ = batch;
    step_ = static_cast<std::int64_t>(epoch) * stepsPerEpoch_ + batch;
    ensureTransaction();
    batchRow_.clear();
    for (const auto& kv : logs) batchRow_.push_back(kv);
    project_.addBatchMetrics(runId_, epoch, step_, batchRow_);
    if (std::chrono::steady_clock::now() - lastCommit_ >= commitInterval_) commitNow();
  });
}

void RunRecorder::onEpochEnd(int epoch, const Logs& logs) {
  writeOrStop(project_, [&] {
    ensureTransaction();
    project_.addEpochMetrics(runId_, epoch, logs);
    double lr = trainer_.optimizer().currentLearningRate();
    if (lastLr_ >= 0 && learningRateChanged(lastLr_, lr)) {
      RunEvent e;
      e.epoch = epoch;
      e.step = step_;
      e.kind = "lr_change";
      e.payload = {{"from", lastLr_}, {"to", lr}};
      project_.addEvent(runId_, e);
    }
    lastLr_ = lr;
    project_.saveCheckpoint(runId_, makeCheckpoint(trainer_, "last", epoch, step_));
    if (auto value = improvedMonitorValue(logs, monitor_, best_, haveBest_)) {
      project_.saveCheckpoint(runId_, makeCheckpoint(trainer_, "best", epoch, step_));
      RunEvent e;
      e.epoch = epoch;
      e.step = step_;
      e.kind = "best_epoch";
      e.payload = {{"monitor", monitor_}, {"value", *value}};
      project_.addEvent(runId_, e);
    }
    // A stop mid-epoch still ends the epoch (Keras calls on_epoch_end with the partial epoch's
    // logs, and so do we): it is counted, has its checkpoint and resume goes on after it, as
    // fit(initial_epoch=len(history)) would; a partial_epoch event says how far it got.
    const bool partial =
        stepsPerEpoch_ > 0 && lastBatch_ + 1 < stepsPerEpoch_ && trainer_.stopRequested();
    if (partial) {
      RunEvent e;
      e.epoch = epoch;
      e.step = step_;
      e.kind = "partial_epoch";
      e.payload = {{"batches", lastBatch_ + 1}, {"steps_per_epoch", stepsPerEpoch_}};
      project_.addEvent(runId_, e);
    }
    project_.setRunEpochsDone(runId_, epoch + 1);
    lastBatch_ = -1;
    commitNow();
  });
}

void RunRecorder::onFinished(const History& history) {
  writeOrStop(project_, [&] {
    commitNow();
    if (failed_) return;
    bool stopped = userStop_ < 0 ? trainer_.stopRequested() : userStop_ == 1;
    RunStatus status = stopped ? RunStatus::Stopped : RunStatus::Finished;
    if (!history.stopReason.empty() && status == RunStatus::Finished) {
      RunEvent e;
      e.epoch = epoch_;
      e.step = step_;
      e.kind = "early_stop";
      e.payload = {{"reason", history.stopReason}};
      project_.addEvent(runId_, e);
    }
    project_.setRunStatus(runId_, status);
    project_.setTrainingMode(false);
  });
}

void RunRecorder::onFailed(const std::string& message) {
  writeOrStop(project_, [&] {
    failed_ = true;
    commitNow();
    RunEvent e;
    e.epoch = epoch_;
    e.step = step_;
    e.kind = "nan";
    e.payload = {{"message", message}};
    project_.addEvent(runId_, e);
    project_.setRunStatus(runId_, RunStatus::Failed);
    project_.setTrainingMode(false);
  });
}

void RunRecorder::addEvent(const std::string& kind, const json& payload) {
  RunEvent e;
  e.epoch = epoch_;
  e.step = step_;
  e.kind = kind;
  e.payload = payload;
  project_.addEvent(runId_, e);
}

}  // namespace tessel
