#pragma once
// The training dashboard panel: Start / Pause (Resume) / Stop, a progress bar over all steps of
// the run, a Keras-style status line ("Epoch 3/10 - loss: 0.4512 - 12,345 samples/s") and the
// LossPlot, wired to its own TrainingController. The job (spec, compile, data, fit options) is
// set with setJob() before Start. Below the controls: tabs with the loss/metrics plot, one plot per
// output (multi-output models), the learning rate over steps. While paused the learning-rate box
// is enabled; a changed value is applied on the training thread at resume (and marked).
// The status line shows epoch/step, samples/s and the ETA.
#include <QHash>
#include <QStringList>
#include <QWidget>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

class QCheckBox;
class QDoubleSpinBox;
class QCustomPlot;
class QLabel;
class QTabWidget;
class QProgressBar;
class QPushButton;

namespace tessel::ui {

class LossPlot;
class TrainingController;

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(QWidget* parent = nullptr);
  ~TrainingPanel() override;

  void setJob(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
              const QString& projectPath = {}, qint64 modelId = 0);

  // Keras callbacks config for the next Start (CompilePanel::callbacksConfig()).
  void setCallbacks(const nlohmann::json& callbacksConfig);
  // Continues a recorded run from its last checkpoint (Resume in the runs browser).
  bool resumeRun(const QString& projectPath, qint64 runId, Dataset data);
  bool hasJob() const { return job_.has_value(); }
  // Whether Start is possible (the dashboard decides: the window may build the data at Start, so
  // no job is needed); `missing` says what is missing, as Start's tooltip. Without a call, Start
  // needs a job.
  void setStartPossible(bool possible, const QString& missing = {});
  // Forgets the job and empties the plots, progress and status (another model is shown).
  void clear();

  TrainingController* controller() const { return controller_; }
  LossPlot* plot() const { return plot_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* stopButton() const { return stop_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }
  QDoubleSpinBox* learningRateBox() const { return lr_; }
  QTabWidget* plotTabs() const { return tabs_; }
  QCustomPlot* learningRatePlot() const { return lrPlot_; }
  // Per-output plot of a multi-output model (nullptr for other names / single output).
  LossPlot* outputPlot(const QString& outputName) const;
  QStringList outputPlotNames() const;
  // Estimated seconds left (-1 when unknown).
  double etaSeconds() const { return eta_; }
  // Last message of a failure (NaN loss, ...), empty otherwise.
  QString failureMessage() const { return failure_; }
  // Global step (1-based count of batches done) of the last progress report.
  qint64 currentStep() const { return step_; }

 public slots:
  void startTraining();
  void togglePause();
  void stopTraining();

 signals:
  void runningChanged(bool running);
  void runEnded(const QString& status);  // "finished", "stopped" or "failed: <message>"

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
  QDoubleSpinBox* lr_;
  QPushButton* export_;
  QTabWidget* tabs_;
  QCustomPlot* lrPlot_;
  QHash<QString, LossPlot*> outputPlots_;
  QString failure_;
  double eta_ = -1;
  double lrAtPause_ = 0;
  void setupOutputPlots(const ModelSpec& spec);
  void exportPlot();

  struct Job {
    ModelSpec spec;
    CompileOptions compile;
    Dataset data;
    FitOptions fit;
    QString projectPath;
    qint64 modelId = 0;
  };
  std::optional<Job> job_;
  std::optional<bool> startPossible_;
  QString missing_;
  int epochs_ = 0, stepsPerEpoch_ = 0, epoch_ = 0;
  qint64 step_ = 0;
  double lastLoss_ = 0;
  QString testText_;  // "test loss: 0.35 - accuracy: 0.87" of the last finished run
  double rate_ = 0;
};

}  // namespace tessel::ui
