#include "ui/MainWindow.h"
#include "ui/search/SearchPage.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>
#include <exception>

#include "engine/graph/ModelSpec.h"
#include "ui/editor/ApplicationDialog.h"
#include "ui/editor/FineTuneActions.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphView.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/search/SearchMarks.h"
#include "ui/shell/MainWindowActions.h"
#include "ui/shell/ModelCommands.h"
#include "ui/shell/TrainingCoordinator.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingDashboard.h"

namespace tessel::ui {

namespace {

QString what(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

// The document JSON the editor reads: Keras JSON plus "tessel_layout" positions.
json documentJson(const json& spec, const json& layout) {
  json doc = spec;
  if (layout.is_object() && !layout.empty()) doc["tessel_layout"] = layout;
  return doc;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName("mainWindow");
  prompts_ = new ShellPrompts(this);
  session_ = new ProjectSession(this);

  pages_ = new QStackedWidget(this);
  placeholder_ = new QLabel(tr("Open a project (File > Open Project) or create a model."), this);
  placeholder_->setAlignment(Qt::AlignCenter);
  scratch_ = new GraphEditorWidget(this);
  pages_->addWidget(scratch_);
  buildDocks();

  auto currentSpec = [this] { return editor()->document()->spec(); };
  auto currentId = [this] { return currentId_; };
  training_ = new TrainingCoordinator(session_, tree_, dashboard_, previews_, prompts_,
                                      {currentId, currentSpec}, this);
  modelFiles_ = new ModelFileController(
      session_, prompts_, {currentId, currentSpec, [this] { return isTraining(); }}, this);
  modelCommands_ = new ModelCommands(session_, prompts_, this);
  wireParts();
  installSearchPage(this);

  actions_ = new MainWindowActions(this, prompts_);
  actions_->build({treeDock_, summaryDock_});
  rebuildEditMenu();
  resize(1280, 820);
  resizeDocks({treeDock_}, {180}, Qt::Horizontal);
  updateTitle();
  updateActions();
  refreshSummary();
}

MainWindow::~MainWindow() {
  // The session's write blocker asks the panel's controller: drop it before the panel goes.
  session_->setWriteBlocker({});
}

void MainWindow::buildDocks() {
  tree_ = new ProjectTree(session_, this);
  treeDock_ = new QDockWidget(tr("Project"), this);
  treeDock_->setObjectName("projectDock");
  treeDock_->setWidget(tree_);
  addDockWidget(Qt::LeftDockWidgetArea, treeDock_);

  summary_ = new QPlainTextEdit(this);
  summary_->setReadOnly(true);
  summary_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  summary_->setLineWrapMode(QPlainTextEdit::NoWrap);
  summaryDock_ = new QDockWidget(tr("Summary"), this);
  summaryDock_->setObjectName("summaryDock");
  summaryDock_->setWidget(summary_);
  addDockWidget(Qt::BottomDockWidgetArea, summaryDock_);
  // The editor shows the summary table itself; the Keras text form stays under View.
  summaryDock_->hide();
  connect(summaryDock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
    if (visible) refreshSummary();
  });

  // The centre: Design (the graph editor), Train (the training dashboard) and Evaluate (previews:
  // a fixed validation sample with true/predicted boxes, confusion matrices and single-image
  // inference, fed by TrainingCoordinator) as pages, so the canvas gets the whole centre.
  dashboard_ = new TrainingDashboard(this);
  previews_ = new PreviewPanel(this);
  workspace_ = new QTabWidget(this);
  workspace_->setObjectName("workspaceTabs");
  workspace_->setDocumentMode(true);
  workspace_->addTab(pages_, tr("Design"));
  workspace_->addTab(dashboard_, tr("Train"));
  workspace_->addTab(previews_, tr("Evaluate"));
  workspace_->setTabToolTip(0, tr("The graph editor of the current model (Ctrl+1)"));
  workspace_->setTabToolTip(1,
                            tr("Compile settings, pre-flight check, training and runs (Ctrl+2)"));
  workspace_->setTabToolTip(2,
                            tr("Previews, confusion matrices and single-image inference (Ctrl+3)"));
  for (int i = 0; i < workspace_->count(); ++i) {
    auto* go = new QAction(this);
    go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    connect(go, &QAction::triggered, this, [this, i] { workspace_->setCurrentIndex(i); });
    addAction(go);
  }
  setCentralWidget(workspace_);
  // Start and "Choose data…" of the dashboard: the window builds the model's data.
  dashboard_->setDataSettingsLookup([this](qint64 id) -> std::optional<json> {
    const ProjectSession::Model* m = session_->model(id);
    if (!m) return std::nullopt;
    return m->dataSettings;
  });
  connect(dashboard_, &TrainingDashboard::dataRequested, this, &MainWindow::editDataSettings);
  connect(dashboard_, &TrainingDashboard::trainRequested, this, &MainWindow::train);
}

void MainWindow::wireParts() {
  connect(training_, &TrainingCoordinator::stateChanged, this, &MainWindow::updateActions);
  connect(training_, &TrainingCoordinator::dashboardWanted, this,
          [this] { showPage(Page::Train); });
  connect(modelFiles_, &ModelFileController::modelAdded, this, [this](qint64 id) {
    showModel(id);
    updateTitle();
  });
  connect(modelCommands_, &ModelCommands::modelAdded, this, [this](qint64 id) {
    showModel(id);
    updateTitle();
  });
  connect(modelFiles_, &ModelFileController::runsChanged, this, [this] {
    tree_->refreshRuns();
    dashboard_->runsBrowser()->refresh();
  });
  connect(modelFiles_, &ModelFileController::loadFailed, summary_, &QPlainTextEdit::setPlainText);

  connect(session_, &ProjectSession::projectChanged, this, &MainWindow::onProjectChanged);
  connect(session_, &ProjectSession::modelsChanged, this, &MainWindow::onModelsChanged);
  connect(session_, &ProjectSession::dirtyChanged, this, &MainWindow::updateTitle);
  connect(session_, &ProjectSession::message, this, &MainWindow::say);
  connect(tree_, &ProjectTree::modelActivated, this, [this](qint64 id) { showModel(id); });
  connect(tree_, &ProjectTree::runActivated, this, [this](qint64 modelId, qint64 runId) {
    // A run in the tree: its model, and the run selected in the dashboard's runs browser.
    if (modelId != currentId_) showModel(modelId);
    training_->showRun(runId);
  });
  connect(tree_, &ProjectTree::newRequested, this, &MainWindow::newModel);
  connect(tree_, &ProjectTree::duplicateRequested, this, &MainWindow::duplicateModel);
  connect(tree_, &ProjectTree::renameRequested, this, &MainWindow::renameModel);
  connect(tree_, &ProjectTree::deleteRequested, this, &MainWindow::deleteModel);
  connect(tree_, &ProjectTree::exportRequested, this, &MainWindow::exportModelOf);
  connect(scratch_->document(), &GraphDocument::validated, this, &MainWindow::refreshSummary);
}

// ---- parts ------------------------------------------------------------------------------

QToolBar* MainWindow::mainToolBar() const {
  return actions_->toolBar();
}
QAction* MainWindow::trainAction() const {
  return actions_->trainAction();
}
QAction* MainWindow::saveAction() const {
  return actions_->saveAction();
}
QAction* MainWindow::saveAsAction() const {
  return actions_->saveAsAction();
}
QMenu* MainWindow::recentMenu() const {
  return actions_->recentMenu();
}

const std::optional<BuiltData>& MainWindow::lastBuiltData() const {
  return training_->lastBuiltData();
}

void MainWindow::setTrainSampleLimit(Index n) {
  training_->setTrainSampleLimit(n);
}

void MainWindow::rebuildEditMenu() {
  actions_->setEditActions(editor()->editorActions());
}

QStringList MainWindow::recentProjects() {
  QSettings settings;
  QStringList list = settings.value("recentProjects").toStringList();
  list.removeIf([](const QString& p) { return !QFileInfo::exists(p); });
  return list;
}

void MainWindow::addRecentProject(const QString& path) {
  QSettings settings;
  QStringList list = settings.value("recentProjects").toStringList();
  const QString abs = QFileInfo(path).absoluteFilePath();
  list.removeAll(abs);
  list.prepend(abs);
  while (list.size() > kMaxRecent) list.removeLast();
  settings.setValue("recentProjects", list);
}

// ---- state ------------------------------------------------------------------------------

GraphEditorWidget* MainWindow::editor() const {
  auto it = editors_.find(currentId_);
  return it != editors_.end() ? it.value() : scratch_;
}

void MainWindow::updateTitle() {
  const QString name = session_->hasProject() ? session_->displayName() : QString();
  setWindowTitle(name.isEmpty() ? tr("Tessel Studio") : name + "[*] — " + tr("Tessel Studio"));
  setWindowModified(session_->isDirty());
}

void MainWindow::updateActions() {
  if (actions_) actions_->update(session_->hasProject(), currentId_ != 0, isTraining());
}

void MainWindow::refreshSummary() {
  // The text form is built only while its dock is shown (the editor has the live table).
  if (summaryDock_->isVisible()) summary_->setPlainText(summaryText());
}

QString MainWindow::summaryText() const {
  if (modelFiles_ && !modelFiles_->loadError().isEmpty()) return modelFiles_->loadError();
  const ModelSpec& spec = editor()->document()->spec();
  if (spec.nodes.empty()) return tr("Drag layers from the palette to start a model.");
  try {
    return QString::fromStdString(summaryTable(spec));
  } catch (const std::exception& e) {
    return tr("The graph is not valid yet:\n%1").arg(what(e));
  }
}

void MainWindow::clearEditors() {
  for (GraphEditorWidget* e : std::as_const(editors_)) {
    pages_->removeWidget(e);
    e->deleteLater();
  }
  editors_.clear();
  currentId_ = 0;
  pages_->setCurrentWidget(scratch_);
  rebuildEditMenu();
  refreshSummary();
}

void MainWindow::onProjectChanged() {
  // Editors of models that no longer exist go (a project was closed or another one opened).
  QList<qint64> gone;
  for (auto it = editors_.begin(); it != editors_.end(); ++it)
    if (!session_->model(it.key())) gone.append(it.key());
  if (!gone.isEmpty() && gone.size() == editors_.size()) clearEditors();
  updateTitle();
  updateActions();
}

void MainWindow::onModelsChanged() {
  for (auto it = editors_.begin(); it != editors_.end();) {
    if (!session_->model(it.key())) {
      pages_->removeWidget(it.value());
      it.value()->deleteLater();
      if (it.key() == currentId_) currentId_ = 0;
      it = editors_.erase(it);
    } else {
      ++it;
    }
  }
  if (currentId_ == 0) {
    pages_->setCurrentWidget(scratch_);
    rebuildEditMenu();
    refreshSummary();
    training_->clearPanels();  // nothing of a removed model stays on show
  }
  tree_->setCurrentModel(currentId_);
  updateTitle();
  updateActions();
}

GraphEditorWidget* MainWindow::editorFor(qint64 id) {
  if (auto it = editors_.find(id); it != editors_.end()) return it.value();
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return nullptr;
  auto* ed = new GraphEditorWidget(this);
  try {
    ed->document()->fromJson(documentJson(m->spec, m->layout));
  } catch (const std::exception& e) {
    say(tr("Model %1 could not be read: %2").arg(m->name, what(e)));
  }
  ed->undoStack()->clear();
  pages_->addWidget(ed);
  editors_.insert(id, ed);
  session_->attach(id, ed->document(), ed->undoStack());
  connect(ed->document(), &GraphDocument::validated, this, [this, ed] {
    if (ed != editor()) return;
    refreshSummary();
    training_->syncDashboardSoon();  // the dashboard follows the graph (debounced)
  });
  connect(ed, &GraphEditorWidget::message, this, &MainWindow::say);
  if (auto* marks = findChild<SearchMarks*>()) marks->attachEditor(ed);
  // "Replace head here..." proposes the class count of the model's data set.
  FineTuneActions::of(ed)->setClassCountProvider([this, id] {
    const ProjectSession::Model* model = session_->model(id);
    return model ? FineTuneActions::dataSetClassCount(model->dataSettings) : 0;
  });
  return ed;
}

bool MainWindow::showModel(qint64 id) {
  if (id == currentId_ && editors_.contains(id)) return true;
  if (!session_->model(id)) return false;
  // Autosave when leaving a model with edits (deferred while training holds the file).
  if (currentId_ != 0 && session_->isModelDirty(currentId_)) session_->autosaveNow();
  GraphEditorWidget* ed = editorFor(id);
  if (!ed) return false;
  currentId_ = id;
  pages_->setCurrentWidget(ed);
  rebuildEditMenu();
  tree_->setCurrentModel(id);
  refreshSummary();
  training_->loadDashboard(id);
  updateActions();
  QTimer::singleShot(0, ed, [ed] { ed->view()->fitAll(); });
  return true;
}

// ---- projects ---------------------------------------------------------------------------

bool MainWindow::openProject(const QString& path) {
  if (!closeProject()) return false;
  QString error;
  if (!session_->open(path, &error)) {
    prompts_->showError(tr("Open project"), tr("Could not open %1:\n%2").arg(path, error));
    return false;
  }
  addRecentProject(session_->path());
  // A project always has a model to draw in: what is drawn is listed and saved.
  if (session_->models().isEmpty())
    newModel();
  else
    showModel(session_->models().front().id);
  say(tr("Opened %1").arg(session_->path()));
  return true;
}

bool MainWindow::newProject(const QString& path) {
  if (!closeProject()) return false;
  QString error;
  if (!session_->create(path, &error)) {
    prompts_->showError(tr("New project"), tr("Could not create %1:\n%2").arg(path, error));
    return false;
  }
  addRecentProject(session_->path());
  newModel();
  say(tr("Created %1").arg(session_->path()));
  return true;
}

bool MainWindow::saveProject() {
  if (!session_->hasProject()) return true;
  if (session_->isUntitled()) {
    QString path = prompts_->choosePath(tr("Save project as"), kProjectFileFilter, true);
    if (path.isEmpty()) return false;
    return saveProjectAs(path);
  }
  QString error;
  if (!session_->save(&error)) {
    if (session_->pendingSave()) {
      say(error);
      return false;
    }
    prompts_->showError(tr("Save project"),
                        tr("Could not save %1:\n%2").arg(session_->path(), error));
    return false;
  }
  say(tr("Saved %1").arg(session_->path()));
  return true;
}

bool MainWindow::saveProjectAs(const QString& path) {
  QString target = path;
  if (QFileInfo(target).suffix().isEmpty()) target += ".tessel";
  QString error;
  if (!session_->saveAs(target, &error)) {
    prompts_->showError(tr("Save project"), tr("Could not save %1:\n%2").arg(target, error));
    return false;
  }
  addRecentProject(session_->path());
  tree_->refreshRuns();
  say(tr("Saved %1").arg(session_->path()));
  return true;
}

bool MainWindow::closeProject() {
  if (!session_->hasProject()) return true;
  if (!confirmStopTraining(tr("close the project"))) return false;
  if (!maybeSave()) return false;
  session_->close();
  clearEditors();
  training_->forgetProject();
  updateTitle();
  updateActions();
  return true;
}

// ---- models -----------------------------------------------------------------------------

bool MainWindow::openModel(const QString& path) {
  return modelFiles_->openModel(path);
}

bool MainWindow::loadWeights(const QString& path, bool byName) {
  return modelFiles_->loadWeights(path, byName);
}

qint64 MainWindow::newModelFromTemplate(const QString& name) {
  return modelFiles_->newModelFromTemplate(name);
}

qint64 MainWindow::newModelFromExample(const QString& name) {
  return modelFiles_->newModelFromExample(name);
}

qint64 MainWindow::newModelFromApplication(const QString& name,
                                           std::optional<ApplicationOptions> options) {
  ModelSpec spec;
  try {
    if (options) {
      spec = buildApplication(name.toStdString(), *options);
    } else {
      ApplicationDialog dialog(name, this);
      if (dialog.exec() != QDialog::Accepted) return 0;
      spec = dialog.spec();
    }
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("New model"), QString::fromUtf8(e.what()));
    return 0;
  }
  return modelFiles_->newModelFromSpec(spec);
}

bool MainWindow::exportModel(const QString& path, ExportKind kind) {
  return modelFiles_->exportModel(path, kind);
}

qint64 MainWindow::newModel() {
  return modelCommands_->newModel();
}

qint64 MainWindow::duplicateModel(qint64 id) {
  return modelCommands_->duplicateModel(id);
}

bool MainWindow::renameModel(qint64 id) {
  return modelCommands_->renameModel(id);
}

bool MainWindow::deleteModel(qint64 id) {
  if (!modelCommands_->deleteModel(id)) return false;
  // Another model takes the editor; the last one gone, a blank one does.
  if (session_->models().isEmpty())
    newModel();
  else if (currentId_ == 0)
    showModel(session_->models().front().id);
  return true;
}

bool MainWindow::exportModelOf(qint64 id) {
  if (!showModel(id)) return false;
  const QString path = prompts_->choosePath(tr("Export model"), kModelFileFilter, true);
  return !path.isEmpty() && exportModel(path, ExportKind::FullModel);
}

// ---- training ---------------------------------------------------------------------------

bool MainWindow::isTraining() const {
  return dashboard_->isTraining();
}

TrainingPanel* MainWindow::trainingPanel() const {
  return dashboard_->trainingPanel();
}

bool MainWindow::train() {
  return training_->train();
}

bool MainWindow::editDataSettings() {
  const bool stored = training_->editDataSettings();
  if (stored) dashboard_->clearData();  // Start builds the new data and checks it
  return stored;
}

bool MainWindow::confirmStopTraining(const QString& action) {
  if (!isTraining()) return true;
  if (stopping_) return false;
  if (prompts_->ask(tr("Training in progress"),
                    tr("A model is training. Stop the run and %1?\nThe run is kept in the "
                       "project, marked stopped.")
                        .arg(action),
                    QMessageBox::Yes | QMessageBox::Cancel) != QMessageBox::Yes)
    return false;
  stopTrainingAndWait();
  return !isTraining();
}

void MainWindow::stopTrainingAndWait() {
  if (!isTraining()) return;
  stopping_ = true;
  setEnabled(false);
  say(tr("Stopping training…"));
  dashboard_->confirmStopTraining(/*ask=*/false);  // stops the worker and waits for it
  setEnabled(true);
  stopping_ = false;
}

bool MainWindow::maybeSave() {
  if (!session_->isDirty()) return true;
  const auto answer = prompts_->ask(
      tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(session_->displayName()),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Discard) return true;
  return saveProject();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirmStopTraining(tr("close the window")) || !maybeSave()) {
    event->ignore();
    return;
  }
  saveLayout();
  event->accept();
}

void MainWindow::restoreLayout() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  // A layout of another version (docks that are pages now) is ignored.
  restoreState(settings.value("window/state").toByteArray(), kLayoutVersion);
  const int page = settings.value("window/page", 0).toInt();
  if (page >= 0 && page < workspace_->count()) workspace_->setCurrentIndex(page);
}

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState(kLayoutVersion));
  settings.setValue("window/page", workspace_->currentIndex());
}

void MainWindow::showPage(Page page) {
  workspace_->setCurrentIndex(static_cast<int>(page));
}

MainWindow::Page MainWindow::currentPage() const {
  return static_cast<Page>(workspace_->currentIndex());
}

}  // namespace tessel::ui
