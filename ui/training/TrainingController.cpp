#include "ui/training/TrainingController.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "engine/callbacks/Callback.h"
#include "engine/core/Error.h"
#include "engine/data/DataSettings.h"
#include "engine/io/TfjsModel.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "ui/training/CompilePanel.h"

namespace tessel {

std::atomic<int> TrainingController::activeWorkers_{0};

namespace {

QVariantMap toVariantMap(const Logs& logs) {
  QVariantMap m;
  for (const auto& [k, v] : logs) m.insert(QString::fromStdString(k), v);
  return m;
}

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

constexpr qsizetype kMaxPointsPerDrain = 2000;

qint64 monotonicNs() {
  static QElapsedTimer clock = [] {
    QElapsedTimer t;
    t.start();
    return t;
  }();
  return clock.nsecsElapsed();
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

// State shared by the GUI thread and the worker; everything behind `mu`.
struct TrainingController::Shared {
  std::mutex mu;
  std::condition_variable cv;  // wakes a paused worker
  // Buffers drained by the GUI timer.
  QVector<QPointF> points;
  std::vector<std::pair<int, Logs>> epochLogs;
  QVector<TrainingEvent> events;
  QVector<QPointF> lrPoints;
  QVector<LayerHistogram> hist;
  int histEpoch = -1;
  bool histPending = false;
  bool startedPending = false;
  int epochs = 0, stepsPerEpoch = 0, epoch = 0, batch = -1, initialEpoch = 0;
  qint64 samples = 0;  // training samples processed so far
  qint64 step = 0;     // global step (batches done, counting from epoch 0)
  double lr = 0;
  qint64 runId = 0;
  bool runIdPending = false;
  // Control: the trainer while fit() runs, and requests made before it exists.
  Trainer* trainer = nullptr;
  bool stopRequested = false, pauseRequested = false;
  std::optional<double> pendingLr;
  std::optional<json> pendingOptimizer;  // {"class_name", "config"} set while paused
  // Outcome, set by the worker before it ends.
  QString status, error;
  Logs testLogs;  // evaluate() on the test data after a finished fit (empty otherwise)
};

// What the worker runs: a new run (spec ... modelId) or the continuation of resumeRunId.
struct TrainingController::Job {
  ModelSpec spec;
  CompileOptions compile;
  Dataset data;
  FitOptions fit;
  std::string path;
  qint64 modelId = 0;
  json callbacks = json::array();
  json dataSettings;            // null when unknown
  std::optional<Dataset> test;  // evaluated after a finished fit (Keras model.evaluate)
  qint64 resumeRunId = 0;
  int resumeEpochs = 0;
  int bins = 30;
  std::vector<TrainingController::ObserverFactory> factories;
};

namespace {

using Shared = TrainingController::Shared;

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

// Forwards every report to the recorder (when recording), fills the shared buffer, pauses the
// training thread on request and applies learning-rate changes made while paused.
class BufferObserver : public TrainObserver {
 public:
  BufferObserver(std::shared_ptr<Shared> shared, Trainer& trainer, Index trainSamples,
                 RunRecorder* recorder, std::string monitor, int bins)
      : shared_(std::move(shared)),
        trainer_(trainer),
        trainSamples_(trainSamples),
        recorder_(recorder),
        monitor_(std::move(monitor)),
        bins_(bins) {}

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch) override {
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
  void onEpochBegin(int epoch) override {
    if (recorder_) recorder_->onEpochBegin(epoch);
    epoch_ = epoch;
  }
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    if (recorder_) recorder_->onBatchEnd(epoch, batch, logs);
    double loss = logs.empty() ? 0.0 : logs.front().second;
    if (auto l = findLog(logs, "loss")) loss = *l;
    // Size of this batch: the last one of an epoch may be short.
    Index rows = trainSamples_ - static_cast<Index>(batch) * batchSize_;
    if (rows <= 0 || rows > batchSize_) rows = batchSize_;
    step_ = static_cast<qint64>(epoch) * steps_ + batch + 1;
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
  void onEpochEnd(int epoch, const Logs& logs) override {
    if (recorder_) recorder_->onEpochEnd(epoch, logs);
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
  void onFinished(const History& history) override {
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
  void onFailed(const std::string& message) override {
    if (recorder_) recorder_->onFailed(message);  // records the "nan" event itself
    failed_ = true;
    message_ = message;
    addEvent("nan", {{"message", message}}, false);
  }

  // A checkpoint written by ModelCheckpoint.
  void checkpointSaved(const std::string& path) { addEvent("checkpoint", {{"path", path}}, true); }

  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }

 private:
  int shared_epochs() {
    std::lock_guard lock(shared_->mu);
    return shared_->epochs;
  }

  // Blocks the training thread until resume() or stop(); records the events and applies a
  // learning rate set while paused.
  void waitWhilePaused() {
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

  // Optimizer settings changed by hand while paused, applied on the training thread: the
  // optimizer is rebuilt from the new config, keeping its slot state when the class is the same.
  void applyOptimizer(const json& spec) {
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

  // A learning rate set by hand, on the training thread between two batches.
  void applyLearningRate(double lr) {
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

  // Adds a marker for the GUI; record = also write it into the project (events the recorder
  // does not write itself).
  void addEvent(const std::string& kind, const json& payload, bool record) {
    if (record && recorder_) recorder_->addEvent(kind, payload);
    TrainingEvent e;
    e.kind = QString::fromStdString(kind);
    e.epoch = epoch_;
    e.step = step_;
    e.payload = toVariantMap(payload);
    std::lock_guard lock(shared_->mu);
    shared_->events.append(std::move(e));
  }

  std::shared_ptr<Shared> shared_;
  Trainer& trainer_;
  Index trainSamples_;
  RunRecorder* recorder_;
  std::string monitor_;
  int bins_;
  Index batchSize_ = 32;
  int steps_ = 0, epoch_ = 0;
  qint64 step_ = 0;
  double lastLr_ = 0, best_ = 0;
  bool haveBest_ = false, haveHist_ = false;
  std::chrono::steady_clock::time_point lastHist_;
  bool failed_ = false;
  std::string message_;
};

// Clears the shared trainer pointer before the Trainer goes away (also on exceptions).
struct TrainerSlot {
  Shared& shared;
  TrainerSlot(Shared& s, Trainer& trainer) : shared(s) {
    std::lock_guard lock(shared.mu);
    shared.trainer = &trainer;
    if (shared.stopRequested) trainer.requestStop();
  }
  ~TrainerSlot() {
    std::lock_guard lock(shared.mu);
    shared.trainer = nullptr;
  }
};

// Keras validation_split keeps the first int(n * (1 - split)) samples for training.
Index trainSampleCount(const Dataset& data, const FitOptions& fit) {
  Index n = data.size();
  if (fit.validationData || fit.validationSplit <= 0) return n;
  return static_cast<Index>(static_cast<double>(n) * (1.0 - fit.validationSplit));
}

json fitToJson(const FitOptions& fit) {
  json cw = json::object();
  for (const auto& [k, v] : fit.classWeight) cw[std::to_string(k)] = v;
  return {{"epochs", fit.epochs},   {"batch_size", fit.batchSize},
          {"shuffle", fit.shuffle}, {"validation_split", fit.validationSplit},
          {"class_weight", cw},     {"seed", fit.seed}};
}

FitOptions fitFromJson(const json& j) {
  FitOptions fit;
  fit.epochs = j.value("epochs", 1);
  fit.batchSize = j.value("batch_size", 32);
  fit.shuffle = j.value("shuffle", true);
  fit.validationSplit = j.value("validation_split", 0.0);
  fit.seed = j.value("seed", std::uint64_t{0});
  if (j.contains("class_weight") && j["class_weight"].is_object())
    for (auto it = j["class_weight"].begin(); it != j["class_weight"].end(); ++it)
      fit.classWeight[std::stoi(it.key())] = it.value().get<double>();
  fit.verbose = 0;
  return fit;
}

// The worker body: builds the model, trainer, callbacks and recorder, runs fit().
void runJob(const std::shared_ptr<Shared>& shared, TrainingController::Job& job) {
  QString status, error;
  try {
    std::optional<Project> project;
    std::int64_t runId = 0;
    std::optional<Checkpoint> resumeFrom;
    if (!job.path.empty())
      project.emplace(std::filesystem::exists(job.path) ? Project::open(job.path)
                                                        : Project::create(job.path));
    if (job.resumeRunId > 0) {
      if (!project) throw Error("resume: no project");
      auto run = project->run(job.resumeRunId);
      if (!run) throw Error("resume: run " + std::to_string(job.resumeRunId) + " not found");
      job.spec = ModelSpec::fromKerasJson(run->spec);
      job.compile = CompileOptions::fromTrainingConfig(run->settings.value("compile", json()),
                                                       job.spec.outputs);
      job.fit = fitFromJson(run->settings.value("fit", json::object()));
      job.fit.seed = run->seed;
      job.callbacks = run->settings.value("callbacks", json::array());
      if (job.resumeEpochs > 0) job.fit.epochs = job.resumeEpochs;
      resumeFrom = project->checkpoint(job.resumeRunId, "last");
      if (!resumeFrom) throw Error("resume: run has no checkpoint to resume from");
      job.fit.initialEpoch = resumeFrom->epoch + 1;
      if (job.fit.initialEpoch >= job.fit.epochs) job.fit.epochs = job.fit.initialEpoch + 1;
      runId = job.resumeRunId;
    }
    job.fit.verbose = 0;
    Model model(job.spec, job.fit.seed);
    Trainer trainer(model, job.compile);
    if (resumeFrom) restoreCheckpoint(trainer, *resumeFrom);
    bool hasVal = job.fit.validationData.has_value() || job.fit.validationSplit > 0;
    std::string monitor = hasVal ? "val_loss" : "loss";
    std::unique_ptr<RunRecorder> recorder;
    if (project) {
      if (runId == 0) {
        RunRecord run;
        run.modelId = job.modelId;
        run.name = "run " + std::to_string(project->runs(job.modelId).size() + 1);
        run.spec = job.spec.toKerasJson();
        run.settings = {{"compile", job.compile.toTrainingConfig()},
                        {"fit", fitToJson(job.fit)},
                        {"callbacks", job.callbacks}};
        if (!job.dataSettings.is_null()) {
          run.settings["data"] = job.dataSettings;
          run.dataHash = DataSettings::fromJson(job.dataSettings).hash();
        }
        run.seed = job.fit.seed;
        runId = project->createRun(run);
      }
      recorder = std::make_unique<RunRecorder>(*project, runId, trainer, monitor);
      std::lock_guard lock(shared->mu);
      shared->runId = runId;
      shared->runIdPending = true;
    }
    BufferObserver observer(shared, trainer, trainSampleCount(job.data, job.fit), recorder.get(),
                            monitor, job.bins);
    auto callbacks = makeCallbacks(job.callbacks, [&](const std::string& path, bool weightsOnly) {
      if (!path.empty() && path.rfind("project:", 0) != 0) {
        // Keras ModelCheckpoint: save_weights_only=False saves the whole model, optimizer
        // state included (TF.js includeOptimizer form, TfjsOptimizerWeights.h).
        ModelFile file;
        file.spec = job.spec;
        for (auto& [name, var] : model.namedWeights()) file.weights.emplace_back(name, var->value);
        if (!weightsOnly) {
          file.trainingConfig = job.compile.toTrainingConfig();
          file.optimizerWeights =
              optimizerWeights(trainer.optimizer(), trainableWeightNames(model));
        }
        writeModelFile(path, file);
      }
      observer.checkpointSaved(path);
    });
    std::vector<Callback*> cbs;
    for (auto& c : callbacks) cbs.push_back(c.get());
    if (resumeFrom) {
      if (recorder) recorder->addEvent("resume", {{"from_checkpoint_epoch", resumeFrom->epoch}});
    }
    std::vector<std::unique_ptr<TrainObserver>> extra;
    for (auto& factory : job.factories)
      if (factory)
        if (auto o = factory(model)) extra.push_back(std::move(o));
    FanOutObserver fanOut(observer, std::move(extra));
    TrainerSlot slot(*shared, trainer);
    trainer.fit(job.data, job.fit, cbs, &fanOut);
    if (observer.failed()) {
      error = QString::fromStdString(observer.message());
    } else {
      bool stopped;
      {
        std::lock_guard lock(shared->mu);
        stopped = shared->stopRequested;
      }
      status = stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
      // The held-out test split, evaluated once with the weights fit ends with (the best ones
      // when EarlyStopping restores them), as a Keras user calls model.evaluate(x_test, y_test).
      if (!stopped && job.test && job.test->size() > 0) {
        Logs test = trainer.evaluate(*job.test, job.fit.batchSize);
        if (recorder) {
          json payload = json::object();
          for (const auto& [name, value] : test) payload[name] = value;
          payload["samples"] = job.test->size();
          recorder->addEvent("test", payload);
        }
        std::lock_guard lock(shared->mu);
        shared->testLogs = std::move(test);
      }
    }
  } catch (const std::exception& e) {
    error = QString::fromUtf8(e.what());
  } catch (...) {
    error = QStringLiteral("unknown error");
  }
  std::lock_guard lock(shared->mu);
  shared->status = status;
  shared->error = error;
}

}  // namespace

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<tessel::TrainingEvent>();
  qRegisterMetaType<tessel::LayerHistogram>();
  timer_ = new QTimer(this);
  timer_->setInterval(kDrainIntervalMs);
  connect(timer_, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController() {
  if (!thread_) return;
  disconnect(thread_, nullptr, this, nullptr);
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopRequested = true;
    if (shared_->trainer) shared_->trainer->requestStop();
  }
  shared_->cv.notify_all();
  thread_->wait();
  delete thread_;
  thread_ = nullptr;
  --activeWorkers_;
}

int TrainingController::activeWorkers() {
  return activeWorkers_.load();
}

bool TrainingController::isRunning() const {
  return thread_ != nullptr;
}
bool TrainingController::isPaused() const {
  return thread_ != nullptr && paused_;
}

void TrainingController::setCallbacks(const nlohmann::json& callbacksConfig) {
  callbacks_ = callbacksConfig.is_array() ? callbacksConfig : json::array();
}

void TrainingController::setDataSettings(const nlohmann::json& dataSettings) {
  dataSettings_ = dataSettings;
}

void TrainingController::setTestData(std::optional<Dataset> test) {
  test_ = std::move(test);
}

bool TrainingController::start(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
                               const QString& projectPath, qint64 modelId) {
  auto job = std::make_shared<Job>();
  job->spec = std::move(spec);
  job->compile = std::move(compile);
  job->data = std::move(data);
  job->fit = std::move(fit);
  job->path = projectPath.toStdString();
  job->modelId = modelId;
  job->callbacks = callbacks_.is_array() ? callbacks_ : json::array();
  job->dataSettings = dataSettings_;
  job->test = test_;

  return launch(std::move(job));
}

bool TrainingController::resumeRun(const QString& projectPath, qint64 runId, Dataset data,
                                   int epochs) {
  auto job = std::make_shared<Job>();
  job->data = std::move(data);
  job->path = projectPath.toStdString();
  job->resumeRunId = runId;
  job->resumeEpochs = epochs;
  return launch(std::move(job));
}

void TrainingController::addObserverFactory(ObserverFactory factory) {
  factories_.push_back(std::move(factory));
}

void TrainingController::clearObserverFactories() {
  factories_.clear();
}

bool TrainingController::launch(std::shared_ptr<Job> job) {
  if (thread_) return false;
  job->factories = factories_;
  shared_ = std::make_shared<Shared>();
  paused_ = false;
  lastSamples_ = 0;
  lastStep_ = 0;
  lastDrainNs_ = monotonicNs();
  rate_ = stepRate_ = 0;
  runId_ = 0;
  initialEpoch_ = job->fit.initialEpoch;
  job->bins = bins_;
  auto shared = shared_;
  thread_ = QThread::create([shared, job]() { runJob(shared, *job); });
  ++activeWorkers_;
  connect(thread_, &QThread::finished, this, &TrainingController::onThreadFinished);
  thread_->start();
  timer_->start();
  return true;
}

void TrainingController::pause() {
  if (!thread_ || paused_) return;
  {
    std::lock_guard lock(shared_->mu);
    shared_->pauseRequested = true;
  }
  paused_ = true;
  emit pausedChanged(true);
}

void TrainingController::resume() {
  if (!thread_ || !paused_) return;
  {
    std::lock_guard lock(shared_->mu);
    shared_->pauseRequested = false;
  }
  shared_->cv.notify_all();
  paused_ = false;
  lastDrainNs_ = monotonicNs();  // the pause does not count in the rate
  emit pausedChanged(false);
}

void TrainingController::setLearningRate(double lr) {
  if (!thread_ || !paused_ || !(lr > 0)) return;
  std::lock_guard lock(shared_->mu);
  shared_->pendingLr = lr;
}

void TrainingController::setOptimizerConfig(const nlohmann::json& optimizer) {
  if (!thread_ || !paused_ || optimizer.is_null()) return;
  std::lock_guard lock(shared_->mu);
  shared_->pendingOptimizer = optimizer;
}

void TrainingController::stop() {
  if (!thread_) return;
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopRequested = true;
    if (shared_->trainer) shared_->trainer->requestStop();
  }
  shared_->cv.notify_all();  // releases a paused worker
}

void TrainingController::drain() {
  if (!shared_) return;
  QVector<QPointF> points, lrPoints;
  std::vector<std::pair<int, Logs>> epochLogs;
  QVector<TrainingEvent> evs;
  QVector<LayerHistogram> hist;
  bool startedPending, histPending, runIdPending;
  int epochs, steps, epoch, batch, histEpoch;
  qint64 samples, step, runId;
  double lr;
  {
    std::lock_guard lock(shared_->mu);
    points.swap(shared_->points);
    lrPoints.swap(shared_->lrPoints);
    epochLogs.swap(shared_->epochLogs);
    evs.swap(shared_->events);
    startedPending = std::exchange(shared_->startedPending, false);
    histPending = std::exchange(shared_->histPending, false);
    if (histPending) hist.swap(shared_->hist);
    histEpoch = shared_->histEpoch;
    runIdPending = std::exchange(shared_->runIdPending, false);
    runId = shared_->runId;
    epochs = shared_->epochs;
    steps = shared_->stepsPerEpoch;
    epoch = shared_->epoch;
    batch = shared_->batch;
    samples = shared_->samples;
    step = shared_->step;
    lr = shared_->lr;
    initialEpoch_ = shared_->initialEpoch;
  }
  lr_ = lr;
  int emitted = 0;
  if (runIdPending) {
    runId_ = runId;
    emit runCreated(runId);
    ++emitted;
  }
  if (startedPending) {
    lastStep_ = step;
    emit started(epochs, steps);
    ++emitted;
  }
  if (points.size() > kMaxPointsPerDrain) {
    // Thin a flood of batches to at most kMaxPointsPerDrain points (the last one kept).
    const qsizetype stride = (points.size() + kMaxPointsPerDrain - 1) / kMaxPointsPerDrain;
    QVector<QPointF> thin;
    thin.reserve(kMaxPointsPerDrain + 1);
    for (qsizetype i = 0; i < points.size(); i += stride) thin.append(points[i]);
    if (thin.back() != points.back()) thin.append(points.back());
    points.swap(thin);
  }
  if (!points.isEmpty()) {
    qint64 now = monotonicNs();
    double dt = static_cast<double>(now - lastDrainNs_) * 1e-9;
    if (dt > 0) {
      double inst = static_cast<double>(samples - lastSamples_) / dt;
      double instSteps = static_cast<double>(step - lastStep_) / dt;
      rate_ = rate_ == 0 ? inst : 0.8 * rate_ + 0.2 * inst;
      stepRate_ = stepRate_ == 0 ? instSteps : 0.8 * stepRate_ + 0.2 * instSteps;
    }
    lastDrainNs_ = now;
    lastSamples_ = samples;
    lastStep_ = step;
    emit progress(epoch, batch, steps, rate_);
    emit batchPoints(points);
    emitted += 2;
  }
  if (!lrPoints.isEmpty()) {
    emit learningRatePoints(lrPoints);
    ++emitted;
  }
  if (!epochLogs.empty()) {
    QVector<int> nums;
    QVector<QVariantMap> maps;
    nums.reserve(static_cast<int>(epochLogs.size()));
    maps.reserve(static_cast<int>(epochLogs.size()));
    for (const auto& [e, logs] : epochLogs) {
      nums.append(e);
      maps.append(toVariantMap(logs));
    }
    emit epochsEnded(nums, maps);
    emit epochEnd(nums.back(), maps.back());
    emitted += 2;
  }
  if (!evs.isEmpty()) {
    emit events(evs);
    ++emitted;
  }
  if (histPending) {
    emit histograms(histEpoch, hist);
    ++emitted;
  }
  if (emitted > 0) {
    ++drains_;
    signals_ += emitted;
  }
}

void TrainingController::onThreadFinished() {
  if (!thread_) return;
  thread_->wait();
  delete thread_;
  thread_ = nullptr;
  --activeWorkers_;
  timer_->stop();
  drain();
  QString status, error;
  QVariantMap test;
  {
    std::lock_guard lock(shared_->mu);
    status = shared_->status;
    error = shared_->error;
    for (const auto& [name, value] : shared_->testLogs)
      test.insert(QString::fromStdString(name), value);
  }
  paused_ = false;
  if (error.isEmpty() && !test.isEmpty()) emit testEvaluated(test);
  if (!error.isEmpty())
    emit failed(error);
  else
    emit finished(status);
}

}  // namespace tessel
