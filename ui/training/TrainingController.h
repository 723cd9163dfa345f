#pragma once
// Runs Trainer::fit on a worker QThread and reports to the GUI thread. Batch reports are
// coalesced: the training thread only appends to a mutex-protected buffer, a QTimer on the GUI
// thread drains it at most ~15 times a second (never one queued signal per batch). The worker
// runs an engine TrainingRun (engine/session: Model, Trainer and, when a project path is given,
// the run created by createRun with RunSettings and recorded through its own Project connection)
// and reports through a TrainingBridge (TrainingBridge.h). Destroying the controller while training
// requests a stop and joins the thread. Epoch ends, events, learning-rate points and histograms go
// through the same buffer: at most one emission of each signal per drain, so at most ~15 GUI
// updates per second whatever the rate of epochs (a toy model can end ~28k epochs per second).
// Pausing happens on the training thread between batches (records "pause"/"resume" events);
// a learning rate set while paused is applied on the training thread at resume and recorded as
// an "lr_change" event with source "user".
#include <QObject>
#include <QPointF>
#include <QString>
#include <QVariantMap>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "engine/train/TrainObserver.h"
#include "ui/training/TrainingTypes.h"

class QThread;
class QTimer;

namespace tessel {
class Model;
}  // namespace tessel

namespace tessel::ui {

struct TrainingShared;

class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;

  // Starts training; returns false (and does nothing) when a run is already active. When
  // projectPath is non-empty the run is recorded into that project (opened on the worker) as a
  // run of modelId. Errors (bad spec, bad data, project errors) arrive as failed().
  bool start(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
             const QString& projectPath = {}, qint64 modelId = 0);
  // Keras callbacks config (CompilePanel::callbacksConfig()) used by the next start().
  void setCallbacks(const nlohmann::json& callbacksConfig);
  // The data settings (DataSettings::toJson, with fitted statistics) the next start()'s data was
  // built from: recorded in the run as settings["data"] with data_hash = DataSettings::hash(), so
  // a run says what it trained on and predict preprocesses exactly as in training. null = unknown.
  void setDataSettings(const nlohmann::json& dataSettings);
  // The two-phase fine-tune recipe (FineTuneRecipe::toJson, CompilePanel's "fine_tune") the next
  // start() runs instead of one fit (null = one fit): both phases are one recorded run with the
  // "fine_tune" marker between (engine/session/FineTuneRecipe.h), the recipe in its settings.
  // The controller reports them as one run of head + fine-tune epochs (started() may come
  // twice, once per phase, with the same total).
  void setFineTune(const nlohmann::json& recipe);
  // Test data for the next start() (std::nullopt = none): evaluated once after the run finishes
  // (not when stopped or failed), recorded as a "test" event and sent as testEvaluated().
  void setTestData(std::optional<Dataset> test);
  // Continues run `runId` of the project from its "last" checkpoint (weights + optimizer state)
  // up to the epochs in its settings (or `epochs` when > 0), appending to the same run.
  bool resumeRun(const QString& projectPath, qint64 runId, Dataset data, int epochs = 0);
  bool isRunning() const;
  bool isPaused() const;

  // Number of worker threads alive in the process (for tests: 0 after a clean join).
  static int activeWorkers();
  // Drain interval of the batch buffer: 66 ms, at most ~15 updates per second. (At 33 ms the
  // replots took ~15 % of the Fashion-MNIST MLP's speed on 2 cores; `tessel-bench responsiveness`.)
  static constexpr int kDrainIntervalMs = 66;
  // Number of drains that emitted anything, and signals emitted, since construction (tests).
  qint64 drainCount() const { return drains_; }
  qint64 signalCount() const { return signals_; }
  // Project run id of the active / last run (0 when not recorded or not yet created).
  qint64 runId() const { return runId_; }
  // Learning rate last reported by the worker (0 before the first report).
  double learningRate() const { return lr_; }
  // Steps per second (same smoothing as samples/s) and the first epoch of the active run.
  double stepsPerSecond() const { return stepRate_; }
  int initialEpoch() const { return initialEpoch_; }
  // Epochs completed so far (the 1-based number of the last complete epoch, as Keras's progress
  // bar counts "Epoch 4/10"); an epoch a stop ended early does not count.
  int epochsCompleted() const { return epochsDone_; }
  // The epoch (0-based) a stop ended early, once the run has ended; -1 when none. Its logs
  // cover partialBatches() batches and are recorded in the run, but not shown as an epoch.
  int partialEpoch() const { return partialEpoch_; }
  int partialBatches() const { return partialBatches_; }
  // Histogram bins per weight (default 30); 0 disables the histograms.
  void setHistogramBins(int bins) { bins_ = bins; }
  // Extra observers for later runs (e.g. the preview driver): each factory is called on the
  // training thread with the run's Model once it is built; the observer it returns sees every
  // report AFTER the controller's own handling (so pausing stays first). Kept until cleared.
  using ObserverFactory = std::function<std::unique_ptr<TrainObserver>(Model&)>;
  void addObserverFactory(ObserverFactory factory);
  void clearObserverFactories();
  using Shared = TrainingShared;  // GUI/worker shared state (TrainingShared.h)
  struct Job;                     // what the worker runs (defined in the .cpp)

 public slots:
  void pause();
  void resume();
  void stop();
  // Only while paused: applied on the training thread at resume().
  void setLearningRate(double lr);

 public:
  // Only while paused: optimizer settings ({"class_name", "config"} as Keras's training_config
  // writes them) applied on the training thread at resume() — the optimizer is rebuilt, keeping
  // its moments when the class is unchanged; recorded as an "optimizer_change" event.
  void setOptimizerConfig(const nlohmann::json& optimizer);

 signals:
  void started(int epochs, int stepsPerEpoch);
  // epoch 0-based, batch 0-based within the epoch (latest batch seen).
  void progress(int epoch, int batch, int stepsPerEpoch, double samplesPerSecond);
  // (global step, running epoch loss) for every batch since the previous emission.
  void batchPoints(const QVector<QPointF>& points);
  // The latest epoch of a drain (older epochs of the same drain only come in epochsEnded).
  void epochEnd(int epoch, const QVariantMap& logs);
  // Every epoch ended since the previous drain, in order (one emission per drain).
  void epochsEnded(const QVector<int>& epochs, const QVector<QVariantMap>& logs);
  // (global step, learning rate) sampled at drains and at every change.
  void learningRatePoints(const QVector<QPointF>& points);
  void events(const QVector<tessel::ui::TrainingEvent>& events);
  // Weight/gradient histograms of the latest epoch end of a drain.
  void histograms(int epoch, const QVector<tessel::ui::LayerHistogram>& histograms);
  void runCreated(qint64 runId);
  // "finished" or "stopped".
  void finished(const QString& status);
  // Keras evaluate() logs on the test data ("loss", metrics), just before finished().
  void testEvaluated(const QVariantMap& logs);
  void failed(const QString& message);
  void pausedChanged(bool paused);

 private:
  void drain();
  void onThreadFinished();

  std::shared_ptr<Shared> shared_;
  QThread* thread_ = nullptr;
  QTimer* timer_ = nullptr;
  bool paused_ = false;
  // Rate estimate between drains.
  qint64 lastSamples_ = 0;
  qint64 lastDrainNs_ = 0;
  double rate_ = 0;
  nlohmann::json callbacks_;
  nlohmann::json dataSettings_;
  nlohmann::json fineTune_;
  std::optional<Dataset> test_;
  qint64 drains_ = 0, signals_ = 0, runId_ = 0;
  double lr_ = 0, stepRate_ = 0;
  qint64 lastStep_ = 0;
  int initialEpoch_ = 0;
  int epochsDone_ = 0, partialEpoch_ = -1, partialBatches_ = 0;
  int bins_ = 30;
  std::vector<ObserverFactory> factories_;
  bool launch(std::shared_ptr<Job> job);
  static std::atomic<int> activeWorkers_;
};

}  // namespace tessel::ui
