#pragma once
// The studio's project window. Left: the project tree (models, and under each its runs). Centre:
// the graph editor of the current model (one editor, document and undo stack per open model).
// Bottom: the live Keras summary and the training dashboard. File: new / open / open recent /
// save / save as / close project, new model from an example, import and export model.json
// (architecture only, weights only, full model with optimizer state), load weights into the
// current model. Train builds the job from the current model and records the run in the project
// file.
//
// Weights loaded from a file (File > Load weights, or the weights of an imported model.json) are
// kept as a run of the model (name "imported …", settings["imported"]) whose "last" checkpoint
// holds them, with the optimizer state when the file has one that fits its training config (then
// Resume on that run continues with the moments). Exports pick them up like any run (newest run
// whose checkpoint fits the graph), and a new training run of the model starts from the newest
// imported weights that fit the graph (loaded at train begin; said in the status bar), as Keras's
// model.load_weights(f) followed by fit() does. A resumed run keeps its own checkpoint.
//
// The title is "<project>.tessel* — Tessel Studio" while any model has unsaved edits (the undo
// stacks' clean state). Edits are autosaved every 30 s and when another model is shown. Closing
// the window or the project while training asks, stops the worker and waits for it (the run is
// recorded as stopped), then asks about unsaved edits.
#include <QHash>
#include <QMainWindow>
#include <QMessageBox>
#include <functional>
#include <memory>

#include "engine/io/TfjsModel.h"
#include "ui/project/BuiltinData.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QStackedWidget;
class QTimer;
class QToolBar;

namespace tessel {
class PreviewPanel;
class TrainingDashboard;
class TrainingPanel;
}  // namespace tessel

namespace tessel::ui {

class GraphEditorWidget;
class ProjectSession;
class ProjectTree;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class ExportKind { Architecture, WeightsOnly, FullModel };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- projects (each returns false and shows the reason when it fails or is cancelled) ---
  bool openProject(const QString& path);
  bool newProject(const QString& path);  // a new empty project file
  bool saveProject();                    // Save As when the project has no file yet
  bool saveProjectAs(const QString& path);
  bool closeProject();  // asks about training and unsaved edits; false when cancelled
  // Imports a Keras / TF.js model.json as a new model of the project (an untitled project is
  // started when none is open) and shows it.
  bool openModel(const QString& path);
  // A new model from the editor's templates (ModelTemplates::names()), laid out by dot, with the
  // training config of its bundled example; returns its id or 0.
  qint64 newModelFromTemplate(const QString& name);
  // A new model from a bundled example (folder name); returns its id or 0.
  qint64 newModelFromExample(const QString& name);
  // Full model: architecture, weights, training config and the optimizer state of the source
  // run's last checkpoint (TF.js includeOptimizer form: "group": "optimizer" weight specs).
  bool exportModel(const QString& path, ExportKind kind);
  // File > Load weights into this model: a TF.js model.json or weights manifest; weights matched
  // BY NAME to the current graph's variables with shapes checked. On any missing, extra or
  // misshaped name a message lists them and nothing changes. Needs a project file.
  bool loadWeights(const QString& path);
  bool showModel(qint64 id);

  // --- training ---
  // Hands the current model (spec from the editor, id, project file) and the data to the
  // training dashboard and presses its Start (pre-flight check, then the worker). The compile
  // and fit settings are the dashboard's CompilePanel (loaded from the model's stored settings;
  // edits there are saved with the model). False (with a message) when it did not start.
  bool train();
  bool isTraining() const;
  // Train > Data...: the data import dialog for the current model; OK stores the DataSettings
  // JSON in the model's dataSettings (ProjectSession). Returns true when settings were stored.
  bool editDataSettings();
  // The data the last train() built (shapes for tests; empty before).
  const std::optional<BuiltData>& lastBuiltData() const { return data_.last(); }
  // Fashion-MNIST training samples used (-1: all 55,000); the data-set panel replaces this.
  void setTrainSampleLimit(Index n) { trainLimit_ = n; }

  // --- parts, for tests and the application ---
  ProjectSession* session() const { return session_; }
  ProjectTree* projectTree() const { return tree_; }
  GraphEditorWidget* editor() const;  // of the current model (an empty one when none)
  qint64 currentModelId() const { return currentId_; }
  TrainingDashboard* dashboard() const { return dashboard_; }
  PreviewPanel* previewPanel() const { return previews_; }
  TrainingPanel* trainingPanel() const;
  QToolBar* mainToolBar() const { return toolbar_; }
  QAction* trainAction() const { return train_; }
  QAction* saveAction() const { return save_; }
  QAction* saveAsAction() const { return saveAs_; }
  QMenu* recentMenu() const { return recentMenu_; }
  QString summaryText() const;
  QString lastMessage() const { return lastMessage_; }

  // Message boxes go through this (tests answer without a modal loop). Default: a QMessageBox.
  using AskPolicy = std::function<QMessageBox::StandardButton(
      const QString& title, const QString& text, QMessageBox::StandardButtons buttons)>;
  void setAskPolicy(AskPolicy policy) { ask_ = std::move(policy); }
  // File dialogs go through this (save: a save dialog). Default: QFileDialog.
  using PathPolicy =
      std::function<QString(const QString& caption, const QString& filter, bool save)>;
  void setPathPolicy(PathPolicy policy) { askPath_ = std::move(policy); }

  // Window geometry and dock layout from / to QSettings (the application calls restoreLayout;
  // closing the window saves it).
  void restoreLayout();
  void saveLayout() const;

  // Recent project files (QSettings "recentProjects", newest first, at most kMaxRecent).
  static QStringList recentProjects();
  static void addRecentProject(const QString& path);
  static constexpr int kMaxRecent = 8;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void rebuildRecentMenu();
  void rebuildEditMenu();
  void onProjectChanged();
  void onModelsChanged();
  void updateTitle();
  void updateActions();
  void refreshSummary();
  void clearEditors();
  GraphEditorWidget* editorFor(qint64 id);
  bool confirmStopTraining(const QString& what);
  void stopTrainingAndWait();
  bool maybeSave();
  void onTrainingEnded();
  void loadDashboard(qint64 id);  // the model's stored compile settings into the dashboard
  void renameModel(qint64 id);
  void deleteModel(qint64 id);
  void showError(const QString& title, const QString& text);
  QMessageBox::StandardButton ask(const QString& title, const QString& text,
                                  QMessageBox::StandardButtons buttons);
  QString choosePath(const QString& caption, const QString& filter, bool save);
  // Stores `file`'s weights (and optimizer state when it fits `trainingConfig`) as an imported
  // run of model `id` whose graph is `spec`; returns the run id or 0 with `error` set. `note`
  // says whether the optimizer state was kept.
  qint64 recordImportedWeights(qint64 id, const ModelSpec& spec, const ModelFile& file,
                               const QString& path, const json& trainingConfig, QString* note,
                               QString* error);
  void say(const QString& text);

  ProjectSession* session_;
  ProjectTree* tree_;
  QStackedWidget* pages_;
  QLabel* placeholder_;
  QHash<qint64, GraphEditorWidget*> editors_;
  GraphEditorWidget* scratch_;  // shown when no model is open
  qint64 currentId_ = 0;
  QPlainTextEdit* summary_;
  TrainingDashboard* dashboard_;
  QDockWidget *treeDock_, *summaryDock_, *trainingDock_, *previewDock_;
  PreviewPanel* previews_ = nullptr;
  QToolBar* toolbar_;
  QMenu *recentMenu_, *editMenu_, *templatesMenu_, *examplesMenu_;
  QAction *save_, *saveAs_, *closeProject_, *train_, *stop_, *importModel_;
  QAction* dataSettings_ = nullptr;
  QAction *exportArch_, *exportWeights_, *exportFull_, *loadWeights_ = nullptr;
  BuiltinData data_;
  Index trainLimit_ = -1;
  bool loadingSettings_ = false;
  QTimer* dashboardSync_;  // the dashboard is being filled from the stored settings
  AskPolicy ask_;
  PathPolicy askPath_;
  QString lastMessage_;
  QString loadError_;  // why the last model.json could not be opened (shown as the summary)
  bool stopping_ = false;
  // What the training thread needs to find imported weights (project file, model id); set when
  // the dashboard prepares a job.
  struct ImportedWeightsSource;
  std::shared_ptr<ImportedWeightsSource> importSource_;
};

}  // namespace tessel::ui
