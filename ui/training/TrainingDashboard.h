#pragma once
// The whole training dashboard of one model, for the main window to embed: the CompilePanel, the
// pre-flight list, the TrainingPanel (Start/Pause/Stop, progress, live curves, per-output and
// learning-rate plots, learning-rate change while paused), weight/gradient histograms and the
// RunsBrowser of the model (overlay, diff, CSV, resume).
//
// Typical use by the window: setProjectPath(project file), setModel(spec, modelId), setData(data)
// then the user presses Start. A window that builds the data itself sets a data-settings lookup:
// then Start is enabled whenever training is possible and asks the window (trainRequested) to
// build the data and call startTraining(). Otherwise Start's tooltip and the pre-flight list say
// what is missing, and "Choose data…" asks the window for the data dialog (dataRequested). Before
// closing the window or the project call confirmStopTraining(): it asks (when training), stops the
// worker and waits; the run is marked "stopped" in the project.
#include <QWidget>
#include <functional>
#include <optional>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

class QPushButton;
class QTabWidget;

namespace tessel::ui {

class CompilePanel;
class HistogramView;
class PreflightList;
class RunsBrowser;
class TrainingPanel;

class TrainingDashboard : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingDashboard(QWidget* parent = nullptr);
  ~TrainingDashboard() override;

  void setModel(const ModelSpec& spec, qint64 modelId = 0);
  const ModelSpec& model() const { return spec_; }
  qint64 modelId() const { return modelId_; }
  // Training data (x per model input, y per model output).
  void setData(Dataset data);
  // Validation data of the data set (wins over the Compile panel's validation_split, as Keras's
  // validation_data does); std::nullopt = use the split.
  void setValidationData(std::optional<Dataset> validation);
  // The data settings the data came from (DataSettings::toJson with fitted statistics; null =
  // unknown), recorded in every run started from here (TrainingController::setDataSettings).
  void setDataSettings(const nlohmann::json& dataSettings);
  // The data set's test split (evaluated once when a run finishes; std::nullopt = none).
  void setTestData(std::optional<Dataset> test);
  bool hasData() const { return hasData_; }
  // Forgets the data set (the model's data settings changed; Start builds it again).
  void clearData();
  // Where the window keeps each model's data settings: model id -> the DataSettings JSON (null =
  // the model's default), std::nullopt when there is no such model.
  using DataSettingsLookup = std::function<std::optional<nlohmann::json>(qint64 modelId)>;
  void setDataSettingsLookup(DataSettingsLookup lookup);
  // Checks again whether Start is possible: Start's state and tooltip and the pre-flight list.
  void updateStartState();
  // What training needs that is missing, in words (Start's tooltip); empty when Start can train.
  QString missingForStart() const { return missing_; }
  // Forgets the data and empties the pre-flight list, histograms and training panel (another
  // model or project is shown); nothing while training.
  void clear();
  // Runs are recorded into this project (empty = not recorded); the runs browser reads it.
  void setProjectPath(const QString& path);
  QString projectPath() const { return projectPath_; }

  bool isTraining() const;
  // When training: asks the user (unless ask is false), then stops the worker and waits for it.
  // Returns false only when the user chose to keep training.
  bool confirmStopTraining(bool ask = true);

  // Runs the pre-flight check on the current settings and shows it; returns true when there is
  // no error. Start runs it too and refuses to start on errors.
  bool runPreflight();

  CompilePanel* compilePanel() const { return compile_; }
  PreflightList* preflightList() const { return preflight_; }
  QPushButton* chooseDataButton() const { return chooseData_; }
  TrainingPanel* trainingPanel() const { return training_; }
  HistogramView* histogramView() const { return histograms_; }
  RunsBrowser* runsBrowser() const { return runs_; }
  QTabWidget* tabs() const { return tabs_; }

 public slots:
  void startTraining();  // pre-flight, then the TrainingPanel's Start
  void resumeRun(qint64 runId);

 signals:
  // Start was pressed and the window builds the data (a data-settings lookup is set): it sets
  // the data and calls startTraining().
  void trainRequested();
  // "Choose data…": the window shows its data dialog (then calls clearData()).
  void dataRequested();
  void trainingStateChanged(bool running);
  // Resume was pressed before any data was set (the studio has just opened the project): the
  // window builds the data, sets it and calls resumeRun() again.
  void resumeNeedsData(qint64 runId);
  void runFinished(const QString& status);  // "finished", "stopped" or "failed: ..."
  // Emitted (synchronously, GUI thread) with the job of a run about to start, e.g. so the
  // preview panel can pick its sample before the worker starts.
  void jobPrepared(const tessel::ModelSpec& spec, const tessel::CompileOptions& compile,
                   const tessel::Dataset& data, const tessel::FitOptions& fit);

 private:
  void prepareJob();
  void onStartClicked();
  QString missingBeforeData();
  ModelSpec spec_;
  qint64 modelId_ = 0;
  Dataset data_;
  bool hasData_ = false;
  std::optional<Dataset> validation_;
  // Optimizer settings the running fit started with (edits while paused are sent when they
  // differ; see the constructor).
  nlohmann::json startOptimizer_;
  bool optimizerSent_ = false;
  QString projectPath_;
  DataSettingsLookup lookup_;
  QString missing_;
  QPushButton* chooseData_;
  QTabWidget* tabs_;
  CompilePanel* compile_;
  PreflightList* preflight_;
  TrainingPanel* training_;
  HistogramView* histograms_;
  RunsBrowser* runs_;
};

}  // namespace tessel::ui
