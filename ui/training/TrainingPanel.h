#pragma once
// The training dashboard panel: Start / Pause (Resume) / Stop, a progress bar over all steps of
// the run, a Keras-style status line ("Epoch 3/10 - loss: 0.4512 - 12,345 samples/s") and the
// LossPlot, wired to its own TrainingController. The job (spec, compile, data, fit options) is
// set with setJob() before Start.
#include <QWidget>
#include <optional>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace tessel {

class LossPlot;
class TrainingController;

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(QWidget* parent = nullptr);
  ~TrainingPanel() override;

  void setJob(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
              const QString& projectPath = {}, qint64 modelId = 0);

  TrainingController* controller() const { return controller_; }
  LossPlot* plot() const { return plot_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* stopButton() const { return stop_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }
  // Global step (1-based count of batches done) of the last progress report.
  qint64 currentStep() const { return step_; }

 public slots:
  void startTraining();
  void togglePause();
  void stopTraining();

 private:
  void onStarted(int epochs, int stepsPerEpoch);
  void onProgress(int epoch, int batch, int stepsPerEpoch, double samplesPerSecond);
  void onEpochEnd(int epoch, const QVariantMap& logs);
  void onFinished(const QString& status);
  void onFailed(const QString& message);
  void updateButtons();
  QString epochText(int epoch) const;

  TrainingController* controller_;
  LossPlot* plot_;
  QPushButton *start_, *pause_, *stop_;
  QProgressBar* progress_;
  QLabel* status_;
  QDoubleSpinBox* smoothing_;
  QCheckBox* logScale_;

  struct Job {
    ModelSpec spec;
    CompileOptions compile;
    Dataset data;
    FitOptions fit;
    QString projectPath;
    qint64 modelId = 0;
  };
  std::optional<Job> job_;
  int epochs_ = 0, stepsPerEpoch_ = 0, epoch_ = 0;
  qint64 step_ = 0;
  double lastLoss_ = 0;
  double rate_ = 0;
};

}  // namespace tessel
