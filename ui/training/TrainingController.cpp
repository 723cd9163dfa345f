#include "ui/training/TrainingController.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "engine/callbacks/Callback.h"
#include "engine/core/Error.h"
#include "engine/io/TfjsModel.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/session/CreateRun.h"
#include "engine/session/FineTuneRecipe.h"
#include "engine/session/ResumeRun.h"
#include "engine/session/RunCallbacks.h"
#include "engine/session/TrainingRun.h"
#include "engine/store/Project.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/FanOutObserver.h"
#include "ui/training/TrainingBridge.h"

namespace tessel::ui {

std::atomic<int> TrainingController::activeWorkers_{0};

namespace {

constexpr qsizetype kMaxPointsPerDrain = 2000;

qint64 monotonicNs() {
  static QElapsedTimer clock = [] {
    QElapsedTimer t;
    t.start();
    return t;
  }();
  return clock.nsecsElapsed();
}

}  // namespace

// What the worker runs: a new run (spec, settings, modelId) or the continuation of resumeRunId.
struct TrainingController::Job {
  ModelSpec spec;
  RunSettings settings;
  json callbacks = json::array();  // RunSettings::callbacks, read on the worker
  json dataSettings;               // RunSettings::data, read on the worker (null when unknown)
  json fineTune;                   // FineTuneRecipe JSON: two phases instead of one fit (null)
  Dataset data;
  std::optional<Dataset> validation;
  std::string path;
  qint64 modelId = 0;
  std::optional<Dataset> test;  // evaluated after a finished fit (Keras model.evaluate)
  qint64 resumeRunId = 0;
  int resumeEpochs = 0;
  int bins = 30;
  std::vector<TrainingController::ObserverFactory> factories;
};

namespace {

using Shared = TrainingShared;

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

// The run the worker trains: a resumed run's own spec and settings (from its last checkpoint),
// or a new run created in the project with the job's settings (when recording).
std::unique_ptr<TrainingRun> prepareRun(TrainingController::Job& job,
                                        std::optional<Project>& project, Shared& shared) {
  std::optional<ResumePoint> resume;
  if (job.resumeRunId > 0) {
    if (!project) throw Error("resume: no project");
    resume = resumePoint(*project, job.resumeRunId, job.resumeEpochs);
    // Phase 2 has its own graph and learning rate: continuing with the recorded graph at phase
    // 1's rate would train something else than the run says.
    if (!resume->settings.fineTune.is_null())
      throw Error("run " + std::to_string(job.resumeRunId) +
                  " is a two-phase fine-tuning run: it cannot be resumed; start a new run");
    job.spec = resume->spec;
    job.settings = resume->settings;
    // Resume always trains at least one more epoch.
    if (resume->allEpochsDone) job.settings.fit.epochs = resume->initialEpoch + 1;
  } else {
    job.settings.callbacks = RunSettings::callbacksFromJson(job.callbacks);
    if (!job.dataSettings.is_null()) job.settings.data = DataSettings::fromJson(job.dataSettings);
  }
  auto run = std::make_unique<TrainingRun>(job.spec, job.settings);
  if (resume) run->restore(resume->checkpoint);
  run->setValidationData(job.validation);
  if (project) {
    const std::int64_t runId =
        resume ? job.resumeRunId : createRun(*project, job.modelId, job.spec, job.settings);
    run->record(*project, runId);
    std::lock_guard lock(shared.mu);
    shared.runId = runId;
    // Known with the run id (the bridge sets it again at train begin): whoever sees a resumed
    // run's id sees the epoch it resumes from.
    if (resume) shared.initialEpoch = resume->initialEpoch;
    shared.runIdPending = true;
  }
  return run;
}

// Keras ModelCheckpoint with a file path: save_weights_only=False saves the whole model,
// optimizer state included (TF.js includeOptimizer form, TfjsOptimizerWeights.h).
void writeCheckpointFile(const TrainingController::Job& job, Model& model, Trainer& trainer,
                         const std::string& path, bool weightsOnly) {
  if (path.empty() || path.rfind("project:", 0) == 0) return;
  ModelFile file;
  file.spec = model.spec();
  for (auto& [name, var] : model.namedWeights()) file.weights.emplace_back(name, var->value);
  if (!weightsOnly) {
    file.trainingConfig = job.settings.compile.toTrainingConfig();
    file.optimizerWeights = optimizerWeights(trainer.optimizer(), trainableWeightNames(model));
  }
  writeModelFile(path, file);
}

// The extra observers (previews, imported weights) of a run's model.
std::vector<std::unique_ptr<TrainObserver>> extraObservers(const TrainingController::Job& job,
                                                           Model& model) {
  std::vector<std::unique_ptr<TrainObserver>> extra;
  for (auto& factory : job.factories)
    if (factory)
      if (auto o = factory(model)) extra.push_back(std::move(o));
  return extra;
}

// Whether the GUI asked to stop.
bool stopRequested(Shared& shared) {
  std::lock_guard lock(shared.mu);
  return shared.stopRequested;
}

// One phase of a fine-tuning run: its own bridge (its own Trainer, in the shared slot while the
// phase lasts) and extra observers. The GUI sees one run: epochs = both phases' total from the
// first epoch, and the "fine_tune" marker when phase 2 begins (the recorder gets it from
// fitTwoPhase).
class PhaseObserver : public TrainObserver {
 public:
  PhaseObserver(const std::shared_ptr<Shared>& shared, TrainingController::Job& job,
                TrainingRun& run, int phase, const FineTuneRecipe& recipe, PhaseObserver** current,
                QString* failure)
      : shared_(shared),
        phase_(phase),
        recipe_(recipe),
        bridge_(shared, run.trainer(), trainSampleCount(job.data, run.fitOptions()), run.recorder(),
                run.monitor(), job.bins),
        fanOut_(bridge_, extraObservers(job, run.model())),
        slot_(*shared, run.trainer()),
        run_(run),
        current_(current),
        failure_(failure) {
    *current_ = this;
  }
  // fitTwoPhase lets the observer go right after the phase's fit: its failure is kept.
  ~PhaseObserver() override {
    if (bridge_.failed() && failure_->isEmpty())
      *failure_ = QString::fromStdString(bridge_.message());
    *current_ = nullptr;
  }

  TrainingBridge& bridge() { return bridge_; }
  Model& model() { return run_.model(); }
  Trainer& trainer() { return run_.trainer(); }

  void onTrainBegin(const FitOptions& o, int steps) override {
    fanOut_.onTrainBegin(o, steps);
    std::lock_guard lock(shared_->mu);
    shared_->epochs = recipe_.headEpochs + recipe_.fineTuneEpochs;
    shared_->initialEpoch = 0;
    if (phase_ == 2) {
      TrainingEvent e;
      e.kind = QStringLiteral("fine_tune");
      e.epoch = o.initialEpoch;
      e.step = static_cast<qint64>(o.initialEpoch) * steps;
      e.payload = {{"phase", 2},
                   {"unfreeze_last", recipe_.unfreezeLast},
                   {"learning_rate", run_.trainer().optimizer().currentLearningRate()}};
      shared_->events.append(e);
    }
  }
  void onEpochBegin(int epoch) override { fanOut_.onEpochBegin(epoch); }
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    fanOut_.onBatchEnd(epoch, batch, logs);
  }
  void onEpochEnd(int epoch, const Logs& logs) override { fanOut_.onEpochEnd(epoch, logs); }
  void onFinished(const History& history) override { fanOut_.onFinished(history); }
  void onFailed(const std::string& message) override { fanOut_.onFailed(message); }

 private:
  std::shared_ptr<Shared> shared_;
  int phase_;
  FineTuneRecipe recipe_;
  TrainingBridge bridge_;
  FanOutObserver fanOut_;
  TrainerSlot slot_;
  TrainingRun& run_;
  PhaseObserver** current_;
  QString* failure_;
};

// The worker body of a two-phase fine-tuning run (engine/session/FineTuneRecipe.h): one run in
// the project, its settings holding the recipe. Returns the error of a failed phase ("" else).
QString runFineTune(const std::shared_ptr<Shared>& shared, TrainingController::Job& job,
                    std::optional<Project>& project) {
  const FineTuneRecipe recipe = FineTuneRecipe::fromJson(job.fineTune);
  job.settings.callbacks = RunSettings::callbacksFromJson(job.callbacks);
  if (!job.dataSettings.is_null()) job.settings.data = DataSettings::fromJson(job.dataSettings);
  job.settings.fineTune = recipe.toJson();
  job.settings.fit.epochs = recipe.headEpochs + recipe.fineTuneEpochs;
  FineTuneHooks hooks;
  if (project) {
    hooks.project = &*project;
    hooks.runId = createRun(*project, job.modelId, job.spec, job.settings);
    std::lock_guard lock(shared->mu);
    shared->runId = hooks.runId;
    shared->runIdPending = true;
  }
  PhaseObserver* current = nullptr;  // the phase running now (checkpoints go through it)
  QString failure;
  auto callbacks =
      makeCallbacks(job.settings.callbacksJson(), [&](const std::string& path, bool weightsOnly) {
        if (!current) return;
        writeCheckpointFile(job, current->model(), current->trainer(), path, weightsOnly);
        current->bridge().checkpointSaved(path);
      });
  for (auto& c : callbacks) hooks.callbacks.push_back(c.get());
  hooks.prepare = [&](TrainingRun& run) { run.setValidationData(job.validation); };
  hooks.observer = [&](TrainingRun& run, int phase) -> std::unique_ptr<TrainObserver> {
    return std::make_unique<PhaseObserver>(shared, job, run, phase, recipe, &current, &failure);
  };
  const FineTuneResult result = fitTwoPhase(job.spec, job.settings, recipe, job.data, hooks);
  if (!failure.isEmpty() || stopRequested(*shared) || !job.test || job.test->size() == 0)
    return failure;
  // The held-out test split with the weights phase 2 ended with (Keras model.evaluate).
  TrainingRun final(recipe.phase2(job.spec), job.settings);
  final.loadWeights(result.weights);
  Logs test = final.evaluateTest(*job.test);
  if (project) {
    RunEvent e;
    e.epoch = static_cast<int>(result.history.epochs.size()) - 1;
    e.kind = "test";
    e.payload = json::object();
    for (const auto& [name, value] : test) e.payload[name] = value;
    e.payload["samples"] = job.test->size();
    project->addEvent(hooks.runId, e);
  }
  std::lock_guard lock(shared->mu);
  shared->testLogs = std::move(test);
  return failure;
}

// The worker body: the run (prepareRun), its callbacks and observers, fit() and the test data.
void runJob(const std::shared_ptr<Shared>& shared, TrainingController::Job& job) {
  QString status, error;
  try {
    std::optional<Project> project;
    if (!job.path.empty())
      project.emplace(std::filesystem::exists(job.path) ? Project::open(job.path)
                                                        : Project::create(job.path));
    if (!job.fineTune.is_null() && job.resumeRunId == 0) {
      error = runFineTune(shared, job, project);
      if (error.isEmpty())
        status = stopRequested(*shared) ? QStringLiteral("stopped") : QStringLiteral("finished");
    } else {
      std::unique_ptr<TrainingRun> run = prepareRun(job, project, *shared);
      Model& model = run->model();
      Trainer& trainer = run->trainer();
      TrainingBridge observer(shared, trainer, trainSampleCount(job.data, run->fitOptions()),
                              run->recorder(), run->monitor(), job.bins);
      auto callbacks = makeCallbacks(job.settings.callbacksJson(),
                                     [&](const std::string& path, bool weightsOnly) {
                                       writeCheckpointFile(job, model, trainer, path, weightsOnly);
                                       observer.checkpointSaved(path);
                                     });
      std::vector<Callback*> cbs;
      for (auto& c : callbacks) cbs.push_back(c.get());
      FanOutObserver fanOut(observer, extraObservers(job, model));
      TrainerSlot slot(*shared, trainer);
      run->fit(job.data, cbs, &fanOut);
      if (observer.failed()) {
        error = QString::fromStdString(observer.message());
      } else {
        const bool stopped = stopRequested(*shared);
        status = stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
        // The held-out test split, evaluated once with the weights fit ends with (the best ones
        // when EarlyStopping restores them), as a Keras user calls model.evaluate(x_test,
        // y_test).
        if (!stopped && job.test && job.test->size() > 0) {
          Logs test = run->evaluateTest(*job.test);
          std::lock_guard lock(shared->mu);
          shared->testLogs = std::move(test);
        }
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
  qRegisterMetaType<tessel::ui::TrainingEvent>();
  qRegisterMetaType<tessel::ui::LayerHistogram>();
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

void TrainingController::setFineTune(const nlohmann::json& recipe) {
  fineTune_ = recipe.is_object() ? recipe : json();
}

void TrainingController::setTestData(std::optional<Dataset> test) {
  test_ = std::move(test);
}

bool TrainingController::start(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
                               const QString& projectPath, qint64 modelId) {
  auto job = std::make_shared<Job>();
  job->spec = std::move(spec);
  job->settings.compile = std::move(compile);
  job->settings.fit = RunSettings::fitFrom(fit);
  job->validation = std::move(fit.validationData);
  job->data = std::move(data);
  job->path = projectPath.toStdString();
  job->modelId = modelId;
  job->callbacks = callbacks_.is_array() ? callbacks_ : json::array();
  job->dataSettings = dataSettings_;
  job->fineTune = fineTune_;
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
  initialEpoch_ = 0;
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
    epochsDone_ = initialEpoch_;
    partialEpoch_ = -1;
    partialBatches_ = 0;
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
      maps.append(logsToVariantMap(logs));
    }
    epochsDone_ = nums.back() + 1;
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
    partialEpoch_ = shared_->partialEpoch;
    partialBatches_ = shared_->partialBatches;
  }
  paused_ = false;
  if (error.isEmpty() && !test.isEmpty()) emit testEvaluated(test);
  if (!error.isEmpty())
    emit failed(error);
  else
    emit finished(status);
}

}  // namespace tessel::ui
