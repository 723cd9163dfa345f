#pragma once
// The studio's project window. Left: the project tree (models, and under each its runs). Centre:
// three pages, Design (the graph editor of the current model: one editor, document and undo stack
// per open model), Train (the training dashboard) and Evaluate (the previews); Ctrl+1..3 switch.
// Bottom, hidden by default: the Keras summary text. File: new / open / open recent /
// save / save as / close project, new model from an example, import and export model.json
// (architecture only, weights only, full model with optimizer state), load weights into the
// current model. Train builds the job from the current model and records the run in the project
// file.
//
// The window composes its parts: MainWindowActions (menus, actions, toolbar), ModelFileController
// (import / export model.json, load weights, models from templates and examples; weights loaded
// from a file are kept as an imported run whose checkpoint new runs start from), and
// TrainingCoordinator (the training dashboard and previews wired to the project session).
//
// The title is "<project>.tessel* — Tessel Studio" while any model has unsaved edits (the undo
// stacks' clean state). Edits are autosaved every 30 s and when another model is shown. Closing
// the window or the project while training asks, stops the worker and waits for it (the run is
// recorded as stopped), then asks about unsaved edits.
#include <QHash>
#include <QMainWindow>
#include <QMessageBox>
#include <functional>
#include <optional>

#include "engine/graph/Applications.h"
#include "ui/project/BuiltinData.h"
#include "ui/shell/ModelFileController.h"
#include "ui/shell/ShellPrompts.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QToolBar;

namespace tessel::ui {

class PreviewPanel;
class TrainingDashboard;
class TrainingPanel;

class GraphEditorWidget;
class MainWindowActions;
class ModelCommands;
class ProjectSession;
class ProjectTree;
class TrainingCoordinator;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  using ExportKind = ModelFileController::ExportKind;

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- projects (each returns false and shows the reason when it fails or is cancelled) ---
  bool openProject(const QString& path);
  // A new project file holding one blank model ("model"), shown in the editor.
  bool newProject(const QString& path);
  bool saveProject();  // Save As when the project has no file yet
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
  // A keras.applications architecture ("ResNet50", "VGG16", "MobileNetV2") as a new model: with
  // `options`, at once; without, after the options dialog (ApplicationDialog). Returns its id or 0.
  qint64 newModelFromApplication(const QString& name,
                                 std::optional<ApplicationOptions> options = std::nullopt);
  // Full model: architecture, weights, training config and the optimizer state of the source
  // run's last checkpoint (TF.js includeOptimizer form: "group": "optimizer" weight specs).
  bool exportModel(const QString& path, ExportKind kind);
  // File > Export > TensorBoard logs: every run of the current model under `dir`.
  bool exportTensorBoard(const QString& dir) { return modelFiles_->exportTensorBoard(dir); }
  // File > Load weights into this model: a TF.js model.json or weights manifest; weights matched
  // BY NAME to the current graph's variables with shapes checked. On any missing, extra or
  // misshaped name a message lists them and nothing changes. Needs a project file.
  bool loadWeights(const QString& path, bool byName = false);
  bool showModel(qint64 id);
  // File > New Model: a blank model named as Keras names models ("model", "model_1", ...),
  // listed, saved and autosaved like any other; returns its id or 0.
  qint64 newModel();
  // The project tree's commands (Rename asks the name, Delete asks first; ShellPrompts).
  qint64 duplicateModel(qint64 id);
  bool renameModel(qint64 id);
  bool deleteModel(qint64 id);
  // Tree > Export…: shows model `id` and exports the full model to a chosen model.json.
  bool exportModelOf(qint64 id);

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
  const std::optional<BuiltData>& lastBuiltData() const;
  // Fashion-MNIST training samples used (-1: all 55,000); the data-set panel replaces this.
  void setTrainSampleLimit(Index n);

  // --- parts, for tests and the application ---
  ProjectSession* session() const { return session_; }
  ProjectTree* projectTree() const { return tree_; }
  GraphEditorWidget* editor() const;  // of the current model (an empty one when none)
  qint64 currentModelId() const { return currentId_; }
  TrainingDashboard* dashboard() const { return dashboard_; }
  PreviewPanel* previewPanel() const { return previews_; }
  TrainingPanel* trainingPanel() const;
  QToolBar* mainToolBar() const;
  QAction* trainAction() const;
  QAction* saveAction() const;
  QAction* saveAsAction() const;
  QMenu* recentMenu() const;
  QString summaryText() const;
  QString lastMessage() const { return prompts_->lastMessage(); }

  // Message boxes go through this (tests answer without a modal loop). Default: a QMessageBox.
  using AskPolicy = ShellPrompts::AskPolicy;
  void setAskPolicy(AskPolicy policy) { prompts_->setAskPolicy(std::move(policy)); }
  // File dialogs go through this (save: a save dialog). Default: QFileDialog.
  using PathPolicy = ShellPrompts::PathPolicy;
  void setPathPolicy(PathPolicy policy) { prompts_->setPathPolicy(std::move(policy)); }
  ShellPrompts* prompts() const { return prompts_; }

  // Window geometry, dock layout and the page shown from / to QSettings (the application calls
  // restoreLayout; closing the window saves it).
  void restoreLayout();
  void saveLayout() const;
  static constexpr int kLayoutVersion = 2;

  // The pages of the centre.
  enum class Page { Design, Train, Evaluate };
  void showPage(Page page);
  Page currentPage() const;
  QTabWidget* workspaceTabs() const { return workspace_; }

  // Recent project files (QSettings "recentProjects", newest first, at most kMaxRecent).
  static QStringList recentProjects();
  static void addRecentProject(const QString& path);
  static constexpr int kMaxRecent = 8;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildDocks();
  void wireParts();
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
  void say(const QString& text) { prompts_->say(text); }

  ShellPrompts* prompts_;
  ProjectSession* session_;
  ProjectTree* tree_;
  QStackedWidget* pages_;
  QLabel* placeholder_;
  QHash<qint64, GraphEditorWidget*> editors_;
  GraphEditorWidget* scratch_;  // shown when no model is open
  qint64 currentId_ = 0;
  QPlainTextEdit* summary_;
  TrainingDashboard* dashboard_;
  QDockWidget *treeDock_, *summaryDock_;
  QTabWidget* workspace_;
  PreviewPanel* previews_ = nullptr;
  MainWindowActions* actions_ = nullptr;
  ModelFileController* modelFiles_ = nullptr;
  ModelCommands* modelCommands_ = nullptr;
  TrainingCoordinator* training_ = nullptr;
  bool stopping_ = false;
};

}  // namespace tessel::ui
