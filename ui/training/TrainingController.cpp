#include "ui/training/TrainingController.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel {

std::atomic<int> TrainingController::activeWorkers_{0};

namespace {

QVariantMap toVariantMap(const Logs& logs) {
  QVariantMap m;
  for (const auto& [k, v] : logs) m.insert(QString::fromStdString(k), v);
  return m;
}

qint64 monotonicNs() {
  static QElapsedTimer clock = [] {
    QElapsedTimer t;
    t.start();
    return t;
  }();
  return clock.nsecsElapsed();
}

}  // namespace

// State shared by the GUI thread and the worker; everything behind `mu`.
struct TrainingController::Shared {
  std::mutex mu;
  // Batch buffer (drained by the GUI timer).
  QVector<QPointF> points;
  std::vector<std::pair<int, Logs>> epochLogs;
  bool startedPending = false;
  int epochs = 0, stepsPerEpoch = 0, epoch = 0, batch = -1;
  qint64 samples = 0;  // training samples processed so far
  // Control: the trainer while fit() runs, and requests made before it exists.
  Trainer* trainer = nullptr;
  bool stopRequested = false, pauseRequested = false;
  // Outcome, set by the worker before it ends.
  QString status, error;
};

namespace {

// Forwards every report to the recorder (when recording) and fills the shared buffer.
class BufferObserver : public TrainObserver {
 public:
  BufferObserver(std::shared_ptr<TrainingController::Shared> shared, Index trainSamples,
                 TrainObserver* next)
      : shared_(std::move(shared)), trainSamples_(trainSamples), next_(next) {}

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch) override {
    if (next_) next_->onTrainBegin(options, stepsPerEpoch);
    batchSize_ = std::max(1, options.batchSize);
    steps_ = stepsPerEpoch;
    std::lock_guard lock(shared_->mu);
    shared_->epochs = options.epochs;
    shared_->stepsPerEpoch = stepsPerEpoch;
    shared_->startedPending = true;
  }
  void onEpochBegin(int epoch) override {
    if (next_) next_->onEpochBegin(epoch);
  }
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    if (next_) next_->onBatchEnd(epoch, batch, logs);
    double loss = logs.empty() ? 0.0 : logs.front().second;
    if (auto l = findLog(logs, "loss")) loss = *l;
    // Size of this batch: the last one of an epoch may be short.
    Index rows = trainSamples_ - static_cast<Index>(batch) * batchSize_;
    if (rows <= 0 || rows > batchSize_) rows = batchSize_;
    double step = static_cast<double>(epoch) * steps_ + batch + 1;
    std::lock_guard lock(shared_->mu);
    shared_->points.append(QPointF(step, loss));
    shared_->epoch = epoch;
    shared_->batch = batch;
    shared_->samples += rows;
  }
  void onEpochEnd(int epoch, const Logs& logs) override {
    if (next_) next_->onEpochEnd(epoch, logs);
    std::lock_guard lock(shared_->mu);
    shared_->epochLogs.emplace_back(epoch, logs);
  }
  void onFinished(const History& history) override {
    if (next_) next_->onFinished(history);
  }
  void onFailed(const std::string& message) override {
    if (next_) next_->onFailed(message);
    failed_ = true;
    message_ = message;
  }

  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }

 private:
  std::shared_ptr<TrainingController::Shared> shared_;
  Index trainSamples_;
  TrainObserver* next_;
  Index batchSize_ = 32;
  int steps_ = 0;
  bool failed_ = false;
  std::string message_;
};

// Clears the shared trainer pointer before the Trainer goes away (also on exceptions).
struct TrainerSlot {
  TrainingController::Shared& shared;
  TrainerSlot(TrainingController::Shared& s, Trainer& trainer) : shared(s) {
    std::lock_guard lock(shared.mu);
    shared.trainer = &trainer;
    if (shared.pauseRequested) trainer.pause();
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

}  // namespace

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
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

bool TrainingController::start(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
                               const QString& projectPath, qint64 modelId) {
  if (thread_) return false;
  shared_ = std::make_shared<Shared>();
  paused_ = false;
  lastSamples_ = 0;
  lastDrainNs_ = monotonicNs();
  rate_ = 0;
  fit.verbose = 0;
  std::string path = projectPath.toStdString();
  auto shared = shared_;
  thread_ =
      QThread::create([shared, spec = std::move(spec), compile = std::move(compile),
                       data = std::move(data), fit = std::move(fit), path, modelId]() mutable {
        QString status, error;
        try {
          Model model(spec, fit.seed);
          Trainer trainer(model, compile);
          std::optional<Project> project;
          std::unique_ptr<RunRecorder> recorder;
          if (!path.empty()) {
            project.emplace(std::filesystem::exists(path) ? Project::open(path)
                                                          : Project::create(path));
            RunRecord run;
            run.modelId = modelId;
            run.name = "run";
            run.spec = spec.toKerasJson();
            run.settings = {{"compile", compile.toTrainingConfig()},
                            {"fit",
                             {{"epochs", fit.epochs},
                              {"batch_size", fit.batchSize},
                              {"shuffle", fit.shuffle},
                              {"validation_split", fit.validationSplit}}}};
            run.seed = fit.seed;
            std::int64_t runId = project->createRun(run);
            bool hasVal = fit.validationData.has_value() || fit.validationSplit > 0;
            recorder = std::make_unique<RunRecorder>(*project, runId, trainer,
                                                     hasVal ? "val_loss" : "loss");
          }
          BufferObserver observer(shared, trainSampleCount(data, fit), recorder.get());
          TrainerSlot slot(*shared, trainer);
          trainer.fit(data, fit, {}, &observer);
          if (observer.failed())
            error = QString::fromStdString(observer.message());
          else {
            // Trainer may clear its stop flag when fit() returns: use our own record of the
            // request.
            bool stopped = trainer.stopRequested();
            {
              std::lock_guard lock(shared->mu);
              stopped = stopped || shared->stopRequested;
            }
            status = stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
          }
        } catch (const std::exception& e) {
          error = QString::fromUtf8(e.what());
        } catch (...) {
          error = QStringLiteral("unknown error");
        }
        std::lock_guard lock(shared->mu);
        shared->status = status;
        shared->error = error;
      });
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
    if (shared_->trainer) shared_->trainer->pause();
  }
  paused_ = true;
  emit pausedChanged(true);
}

void TrainingController::resume() {
  if (!thread_ || !paused_) return;
  {
    std::lock_guard lock(shared_->mu);
    shared_->pauseRequested = false;
    if (shared_->trainer) shared_->trainer->resume();
  }
  paused_ = false;
  lastDrainNs_ = monotonicNs();  // the pause does not count in the rate
  emit pausedChanged(false);
}

void TrainingController::stop() {
  if (!thread_) return;
  std::lock_guard lock(shared_->mu);
  shared_->stopRequested = true;
  // Trainer::requestStop also releases a paused fit().
  if (shared_->trainer) shared_->trainer->requestStop();
}

void TrainingController::drain() {
  if (!shared_) return;
  QVector<QPointF> points;
  std::vector<std::pair<int, Logs>> epochLogs;
  bool startedPending;
  int epochs, steps, epoch, batch;
  qint64 samples;
  {
    std::lock_guard lock(shared_->mu);
    points.swap(shared_->points);
    epochLogs.swap(shared_->epochLogs);
    startedPending = std::exchange(shared_->startedPending, false);
    epochs = shared_->epochs;
    steps = shared_->stepsPerEpoch;
    epoch = shared_->epoch;
    batch = shared_->batch;
    samples = shared_->samples;
  }
  if (startedPending) emit started(epochs, steps);
  if (!points.isEmpty()) {
    qint64 now = monotonicNs();
    double dt = static_cast<double>(now - lastDrainNs_) * 1e-9;
    if (dt > 0) {
      double inst = static_cast<double>(samples - lastSamples_) / dt;
      rate_ = rate_ == 0 ? inst : 0.8 * rate_ + 0.2 * inst;
    }
    lastDrainNs_ = now;
    lastSamples_ = samples;
    emit progress(epoch, batch, steps, rate_);
    emit batchPoints(points);
  }
  for (const auto& [e, logs] : epochLogs) emit epochEnd(e, toVariantMap(logs));
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
  {
    std::lock_guard lock(shared_->mu);
    status = shared_->status;
    error = shared_->error;
  }
  paused_ = false;
  if (!error.isEmpty())
    emit failed(error);
  else
    emit finished(status);
}

}  // namespace tessel
