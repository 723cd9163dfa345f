#pragma once
// Runs a recorded hyperparameter search (engine/session/SearchRun) on a worker QThread, the way
// TrainingController runs one training run: the worker opens its own Project connection, the GUI
// thread gets one queued signal per trial end (trials are seconds apart, never a flood) and one
// at the end. Destroying the controller while a search runs stops it and joins the thread; the
// running trial then stays unfinished in the project and a later start() of the same search
// restarts it.
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

#include "engine/train/FitOptions.h"

class QThread;

namespace tessel::ui {

class SearchController : public QObject {
  Q_OBJECT
 public:
  explicit SearchController(QObject* parent = nullptr);
  ~SearchController() override;

  // Runs (or resumes) search `searchId` of the project at `projectPath` on `train` (and
  // `validation`, used when the search has cv = 1). False when a search is already running.
  bool start(const QString& projectPath, qint64 searchId, Dataset train,
             std::optional<Dataset> validation = std::nullopt);
  bool isRunning() const;

 public slots:
  void stop();

 signals:
  void trialFinished(int index);
  // "finished" (the tuner or the budget ended it) or "stopped".
  void finished(const QString& status);
  void failed(const QString& message);

 private:
  struct Shared;
  void onThreadFinished();
  std::shared_ptr<Shared> shared_;
  QThread* thread_ = nullptr;
};

}  // namespace tessel::ui
