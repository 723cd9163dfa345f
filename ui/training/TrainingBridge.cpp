#include "ui/training/TrainingBridge.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "engine/optimizers/Optimizer.h"

namespace tessel::ui {

namespace {

QVariantMap toVariantMap(const json& j) {
  QVariantMap m;
  if (!j.is_object()) return m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    QString key = QString::fromStdString(it.key());
    if (v.is_number())
      m.insert(key, v.get<double>());
    else if (v.is_string())
      m.insert(key, QString::fromStdString(v.get<std::string>()));
    else if (v.is_boolean())
      m.insert(key, v.get<bool>());
    else
      m.insert(key, QString::fromStdString(v.dump()));
  }
  return m;
}

// Equal-width histogram of t's values into `bins` counts over [lo, hi].
void histogram(const Tensor& t, int bins, double& lo, double& hi, QVector<double>& counts) {
  counts.fill(0.0, bins);
  const float* p = t.data();
  const Index n = t.size();
  if (n == 0) {
    lo = hi = 0;
    return;
  }
  float mn = p[0], mx = p[0];
  for (Index i = 1; i < n; ++i) {
    mn = std::min(mn, p[i]);
    mx = std::max(mx, p[i]);
  }
  lo = mn;
  hi = mx;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return;
  const double width = hi > lo ? (hi - lo) / bins : 1.0;
  for (Index i = 0; i < n; ++i) {
    int b = static_cast<int>((p[i] - lo) / width);
    counts[std::clamp(b, 0, bins - 1)] += 1;
  }
}

}  // namespace

QVariantMap logsToVariantMap(const Logs& logs) {
  QVariantMap m;
  for (const auto& [k, v] : logs) m.insert(QString::fromStdString(k), v);
  return m;
}

TrainingBridge::TrainingBridge(std::shared_ptr<TrainingShared> shared, Trainer& trainer,
                               Index trainSamples, RunRecorder* recorder, std::string monitor,
                               int bins)
    : shared_(std::move(shared)),
      trainer_(trainer),
      trainSamples_(trainSamples),
      recorder_(recorder),
      monitor_(std::move(monitor)),
      bins_(bins) {}

void TrainingBridge::onTrainBegin(const FitOptions& options, int stepsPerEpoch) {
  if (recorder_) recorder_->onTrainBegin(options, stepsPerEpoch);
  batchSize_ = std::max(1, options.batchSize);
  steps_ = stepsPerEpoch;
  lastLr_ = trainer_.optimizer().currentLearningRate();
  step_ = static_cast<qint64>(options.initialEpoch) * stepsPerEpoch;
  std::lock_guard lock(shared_->mu);
  shared_->epochs = options.epochs;
  shared_->stepsPerEpoch = stepsPerEpoch;
  shared_->initialEpoch = options.initialEpoch;
  shared_->epoch = options.initialEpoch;
  shared_->step = step_;
  shared_->lr = lastLr_;
  shared_->lrPoints.append(QPointF(static_cast<double>(step_), lastLr_));
  shared_->startedPending = true;
}

void TrainingBridge::onEpochBegin(int epoch) {
  if (recorder_) recorder_->onEpochBegin(epoch);
  epoch_ = epoch;
}

void TrainingBridge::onBatchEnd(int epoch, int batch, const Logs& logs) {
  if (recorder_) recorder_->onBatchEnd(epoch, batch, logs);
  double loss = logs.empty() ? 0.0 : logs.front().second;
  if (auto l = findLog(logs, "loss")) loss = *l;
  // Size of this batch: the last one of an epoch may be short.
  Index rows = trainSamples_ - static_cast<Index>(batch) * batchSize_;
  if (rows <= 0 || rows > batchSize_) rows = batchSize_;
  step_ = static_cast<qint64>(epoch) * steps_ + batch + 1;
  lastBatch_ = batch;
  bool pause;
  std::optional<double> lr;
  {
    std::lock_guard lock(shared_->mu);
    shared_->points.append(QPointF(static_cast<double>(step_), loss));
    shared_->epoch = epoch;
    shared_->batch = batch;
    shared_->samples += rows;
    shared_->step = step_;
    pause = shared_->pauseRequested && !shared_->stopRequested;
    // A pause and resume faster than one batch: the change still applies here.
    if (!pause && shared_->pendingLr) lr = std::exchange(shared_->pendingLr, std::nullopt);
  }
  if (pause) waitWhilePaused();
  if (lr) applyLearningRate(*lr);
}

void TrainingBridge::onEpochEnd(int epoch, const Logs& logs) {
  if (recorder_) recorder_->onEpochEnd(epoch, logs);
  // A stop in the middle of an epoch ends it early (as Keras does): its means cover only the
  // batches done, so the panels do not show it as a complete epoch (no point, no histograms).
  if (steps_ > 0 && lastBatch_ + 1 < steps_) {
    std::lock_guard lock(shared_->mu);
    shared_->partialEpoch = epoch;
    shared_->partialBatches = lastBatch_ + 1;
    return;
  }
  double lr = trainer_.optimizer().currentLearningRate();
  if (learningRateChanged(lastLr_, lr)) {
    addEvent("lr_change", {{"from", lastLr_}, {"to", lr}, {"source", "schedule"}}, false);
    lastLr_ = lr;
  }
  if (auto value = improvedMonitorValue(logs, monitor_, best_, haveBest_))
    addEvent("best_epoch", {{"monitor", monitor_}, {"value", *value}}, false);
  // Histograms: at most ~5 per second (a toy model may end thousands of epochs a second).
  QVector<LayerHistogram> hist;
  const auto now = std::chrono::steady_clock::now();
  bool wantHist = bins_ > 0 && (!haveHist_ || now - lastHist_ >= std::chrono::milliseconds(200) ||
                                epoch + 1 >= shared_epochs());
  if (wantHist) {
    haveHist_ = true;
    lastHist_ = now;
    for (auto& [name, var] : trainer_.model().namedWeights()) {
      LayerHistogram h;
      QString full = QString::fromStdString(name);
      h.weight = full;
      h.layer = full.section(QLatin1Char('/'), 0, 0);
      histogram(var->value, bins_, h.weightMin, h.weightMax, h.weightCounts);
      if (var->trainable && var->grad.size() == var->value.size())
        histogram(var->grad, bins_, h.gradMin, h.gradMax, h.gradCounts);
      hist.push_back(std::move(h));
    }
  }
  std::lock_guard lock(shared_->mu);
  shared_->epochLogs.emplace_back(epoch, logs);
  shared_->lr = lr;
  shared_->lrPoints.append(QPointF(static_cast<double>(step_), lr));
  if (wantHist) {
    shared_->hist = std::move(hist);
    shared_->histEpoch = epoch;
    shared_->histPending = true;
  }
}

void TrainingBridge::onFinished(const History& history) {
  bool user;
  {
    std::lock_guard lock(shared_->mu);
    user = shared_->stopRequested;
  }
  if (recorder_) recorder_->setUserStop(user);
  if (!user && !history.stopReason.empty())
    addEvent("early_stop", {{"reason", history.stopReason}}, false);
  else if (user)
    addEvent("stop", json::object(), false);
  if (recorder_) recorder_->onFinished(history);
}

void TrainingBridge::onFailed(const std::string& message) {
  if (recorder_) recorder_->onFailed(message);  // records the "nan" event itself
  failed_ = true;
  message_ = message;
  addEvent("nan", {{"message", message}}, false);
}

int TrainingBridge::shared_epochs() {
  std::lock_guard lock(shared_->mu);
  return shared_->epochs;
}

void TrainingBridge::waitWhilePaused() {
  if (recorder_) recorder_->flush();
  addEvent("pause", json::object(), true);
  std::optional<double> lr;
  std::optional<json> optimizer;
  {
    std::unique_lock lock(shared_->mu);
    shared_->cv.wait(lock, [&] { return !shared_->pauseRequested || shared_->stopRequested; });
    lr = std::exchange(shared_->pendingLr, std::nullopt);
    optimizer = std::exchange(shared_->pendingOptimizer, std::nullopt);
  }
  if (optimizer) applyOptimizer(*optimizer);
  if (lr) applyLearningRate(*lr);
  addEvent("resume", json::object(), true);
}

void TrainingBridge::applyOptimizer(const json& spec) {
  json from = trainer_.optimizer().toJson();
  try {
    if (makeOptimizer(spec)->toJson() == from) return;  // nothing changed
    trainer_.reconfigureOptimizer(spec);
  } catch (const std::exception& e) {
    addEvent("optimizer_change_refused", {{"to", spec}, {"error", e.what()}}, true);
    return;
  }
  double lr = trainer_.optimizer().currentLearningRate();
  lastLr_ = lr;
  if (recorder_) recorder_->setLastLearningRate(lr);
  addEvent("optimizer_change", {{"from", from}, {"to", trainer_.optimizer().toJson()}}, true);
  std::lock_guard lock(shared_->mu);
  shared_->lr = lr;
  shared_->lrPoints.append(QPointF(static_cast<double>(step_), lr));
}

void TrainingBridge::applyLearningRate(double lr) {
  if (!(lr > 0)) return;
  Optimizer& opt = trainer_.optimizer();
  double from = opt.currentLearningRate();
  opt.setLearningRate(lr);
  lastLr_ = lr;
  if (recorder_) recorder_->setLastLearningRate(lr);
  addEvent("lr_change", {{"from", from}, {"to", lr}, {"source", "user"}}, true);
  std::lock_guard lock(shared_->mu);
  shared_->lr = lr;
  shared_->lrPoints.append(QPointF(static_cast<double>(step_), lr));
}

void TrainingBridge::addEvent(const std::string& kind, const json& payload, bool record) {
  if (record && recorder_) recorder_->addEvent(kind, payload);
  TrainingEvent e;
  e.kind = QString::fromStdString(kind);
  e.epoch = epoch_;
  e.step = step_;
  e.payload = toVariantMap(payload);
  std::lock_guard lock(shared_->mu);
  shared_->events.append(std::move(e));
}

}  // namespace tessel::ui
