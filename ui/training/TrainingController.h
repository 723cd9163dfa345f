#pragma once
// Runs Trainer::fit on a worker QThread and reports to the GUI thread. Batch reports are
// coalesced: the training thread only appends to a mutex-protected buffer, a QTimer on the GUI
// thread drains it at most ~30 times a second (never one queued signal per batch). The worker
// owns the Model, the Trainer and, when a project path is given, its own Project connection and
// RunRecorder. Destroying the controller while training requests a stop and joins the thread.
#include <QObject>
#include <QPointF>
#include <QString>
#include <QVariantMap>
#include <QVector>
#include <atomic>
#include <memory>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

class QThread;
class QTimer;

namespace tessel {

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
  bool isRunning() const;
  bool isPaused() const;

  // Number of worker threads alive in the process (for tests: 0 after a clean join).
  static int activeWorkers();
  // Drain interval of the batch buffer (default 33 ms, i.e. at most ~30 updates per second).
  static constexpr int kDrainIntervalMs = 33;
  struct Shared;  // GUI/worker shared state (defined in the .cpp)

 public slots:
  void pause();
  void resume();
  void stop();

 signals:
  void started(int epochs, int stepsPerEpoch);
  // epoch 0-based, batch 0-based within the epoch (latest batch seen).
  void progress(int epoch, int batch, int stepsPerEpoch, double samplesPerSecond);
  // (global step, running epoch loss) for every batch since the previous emission.
  void batchPoints(const QVector<QPointF>& points);
  void epochEnd(int epoch, const QVariantMap& logs);
  // "finished" or "stopped".
  void finished(const QString& status);
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
  static std::atomic<int> activeWorkers_;
};

}  // namespace tessel
