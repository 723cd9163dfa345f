#pragma once
// Wires the training dashboard (compile panel, training controller, runs browser) and the
// preview panel to the project session: Train builds the job from the current model and its data
// settings, runs are recorded in the project file, the project tree follows their progress, the
// compile settings edited in the dashboard are saved with the model, and a new run starts from
// the model's newest imported weights that fit the graph (loaded at train begin; said in the
// status bar). A resumed run keeps its own checkpoint.
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

#include "engine/graph/ModelSpec.h"
#include "ui/project/BuiltinData.h"

class QTimer;
class QWidget;

namespace tessel::ui {

class PreviewPanel;
class TrainingDashboard;

class ProjectSession;
class ProjectTree;
class ShellPrompts;

class TrainingCoordinator : public QObject {
  Q_OBJECT
 public:
  // What the coordinator reads of the window: the model shown and its graph as edited.
  struct Context {
    std::function<qint64()> currentModelId;
    std::function<ModelSpec()> currentSpec;
  };

  // `window` parents the data dialog and owns the coordinator.
  TrainingCoordinator(ProjectSession* session, ProjectTree* tree, TrainingDashboard* dashboard,
                      PreviewPanel* previews, ShellPrompts* prompts, Context context,
                      QWidget* window);
  ~TrainingCoordinator() override;

  bool isTraining() const;
  // Hands the current model and its data to the dashboard and presses its Start. False (with a
  // message) when it did not start.
  bool train();
  // The data import dialog for the current model; OK stores the DataSettings JSON in the model.
  bool editDataSettings();
  // The model's stored compile settings and its graph into the dashboard.
  void loadDashboard(qint64 id);
  // The dashboard gets the graph as it stands once edits settle (debounced).
  void syncDashboardSoon();
  // A run chosen in the project tree: selected in the dashboard's runs browser.
  void showRun(qint64 runId);
  // The project was closed: the dashboard records nowhere and its panels are emptied.
  void forgetProject();
  // Empties the dashboard (data, pre-flight list, histograms, plots) and the previews, so that
  // nothing of another model or project stays on show; nothing while training.
  void clearPanels();

  const std::optional<BuiltData>& lastBuiltData() const { return data_.last(); }
  void setTrainSampleLimit(Index n) { trainLimit_ = n; }

 signals:
  void stateChanged();     // training started or ended, a run was created
  void dashboardWanted();  // show and raise the training dashboard

 private:
  void wirePreviews();
  void wireImportedWeights();
  void wireController();
  void onTrainingEnded();
  bool prepareData(qint64 modelId);   // the model's data into the dashboard and previews
  void resumeWithData(qint64 runId);  // builds the current model's data, then resumes the run
  void setDashboardModel(const ModelSpec& spec, qint64 id);

  ProjectSession* session_;
  ProjectTree* tree_;
  TrainingDashboard* dashboard_;
  PreviewPanel* previews_;
  ShellPrompts* prompts_;
  Context context_;
  QWidget* window_;
  QTimer* dashboardSync_;
  BuiltinData data_;
  Index trainLimit_ = -1;
  bool loadingSettings_ = false;
  // The compile panel's own fit and callback settings, for models that stored none.
  json defaultFit_, defaultCallbacks_;  // the dashboard is being filled from the stored settings
  // What the training thread needs to find imported weights (project file, model id); set when
  // the dashboard prepares a job.
  struct ImportedWeightsSource;
  std::shared_ptr<ImportedWeightsSource> importSource_;
};

}  // namespace tessel::ui
