#include "ui/MainWindow.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/TrainObserver.h"
#include "engine/train/Trainer.h"
#include "ui/data/DataImportDialog.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::ui {

namespace {

const char* const kProjectFilter = "Tessel projects (*.tessel)";
const char* const kModelFilter = "Keras / TF.js model (*.json)";

QString what(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

// The document JSON the editor reads: Keras JSON plus "tessel_layout" positions.
json documentJson(const json& spec, const json& layout) {
  json doc = spec;
  if (layout.is_object() && !layout.empty()) doc["tessel_layout"] = layout;
  return doc;
}

// Weights of a checkpoint when they match `model`'s weights exactly (restoreCheckpointWeights
// into a scratch copy, so `model` keeps its values); empty otherwise.
NamedWeights checkpointWeights(const Checkpoint& c, Model& model) {
  Model scratch(model.spec(), 0);
  try {
    restoreCheckpointWeights(scratch, c);
  } catch (const std::exception&) {
    return {};
  }
  NamedWeights out;
  for (auto& [name, var] : scratch.namedWeights()) out.emplace_back(name, var->value);
  return out;
}

// A checkpoint holding only `model`'s weights (an import without usable optimizer state): names
// and shapes in meta as makeCheckpoint writes them, float32 values concatenated.
Checkpoint weightsOnlyCheckpoint(Model& model) {
  Checkpoint c;
  c.kind = "last";
  json names = json::array();
  for (auto& [name, var] : model.namedWeights()) {
    names.push_back({{"name", name}, {"shape", var->value.shape()}});
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(var->value.data());
    c.weights.insert(c.weights.end(), bytes,
                     bytes + static_cast<size_t>(var->value.size()) * sizeof(float));
  }
  c.meta = {{"weights", std::move(names)}, {"imported", true}};
  return c;
}

bool isImportedRun(const RunRecord& run) {
  return run.settings.is_object() && run.settings.contains("imported");
}

// Checks `weights` against `model` BY NAME: missing, unexpected and misshaped names. Empty when
// they fit exactly.
QString weightsMismatch(Model& model, const NamedWeights& weights) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : weights) given[name] = &t;
  QStringList missing, mismatched, extra;
  std::map<std::string, bool> known;
  for (auto& [name, var] : model.namedWeights()) {
    known[name] = true;
    auto it = given.find(name);
    if (it == given.end())
      missing << QString::fromStdString(name);
    else if (it->second->shape() != var->value.shape())
      mismatched << QString::fromStdString(name + " " + shapeToString(it->second->shape()) +
                                           " (the model has " + shapeToString(var->value.shape()) +
                                           ")");
  }
  for (const auto& [name, t] : weights)
    if (!known.count(name)) extra << QString::fromStdString(name);
  QStringList parts;
  if (!missing.isEmpty())
    parts << QObject::tr("missing from the file: %1").arg(missing.join(QStringLiteral(", ")));
  if (!mismatched.isEmpty())
    parts << QObject::tr("wrong shape: %1").arg(mismatched.join(QStringLiteral(", ")));
  if (!extra.isEmpty())
    parts << QObject::tr("not in the model: %1").arg(extra.join(QStringLiteral(", ")));
  return parts.join(QStringLiteral("\n"));
}

// On the training thread: at the start of a NEW run (initial epoch 0; a Resume starts later and
// keeps its checkpoint) loads the newest imported weights of the model that fit the graph.
class ImportedWeightsObserver : public TrainObserver {
 public:
  using Where = std::function<std::pair<std::string, qint64>()>;
  using Notify = std::function<void(const QString&)>;
  ImportedWeightsObserver(Model& model, Where where, Notify notify)
      : model_(model), where_(std::move(where)), notify_(std::move(notify)) {}

  void onTrainBegin(const FitOptions& options, int) override {
    if (options.initialEpoch != 0) return;
    const auto [path, modelId] = where_();
    if (path.empty() || modelId <= 0) return;
    try {
      Project project = Project::open(path, /*readOnly=*/true);
      std::vector<RunRecord> runs = project.runs(modelId);
      for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        if (!isImportedRun(*it)) continue;
        auto cp = project.checkpoint(it->id, "last");
        if (!cp) continue;
        NamedWeights weights = checkpointWeights(*cp, model_);
        if (weights.empty()) continue;
        model_.loadNamedWeights(weights);
        notify_(QObject::tr("Training starts from the imported weights of run %1 (%2)")
                    .arg(it->id)
                    .arg(QString::fromStdString(it->name)));
        return;
      }
    } catch (const std::exception& e) {
      notify_(QObject::tr("Imported weights not used: %1").arg(what(e)));
    }
  }

 private:
  Model& model_;
  Where where_;
  Notify notify_;
};

}  // namespace

struct MainWindow::ImportedWeightsSource {
  std::mutex mu;
  std::string path;  // project file; empty for an untitled project
  qint64 modelId = 0;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName("mainWindow");
  session_ = new ProjectSession(this);

  pages_ = new QStackedWidget(this);
  placeholder_ = new QLabel(tr("Open a project (File > Open Project) or create a model."), this);
  placeholder_->setAlignment(Qt::AlignCenter);
  scratch_ = new GraphEditorWidget(this);
  pages_->addWidget(scratch_);
  setCentralWidget(pages_);

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

  dashboard_ = new TrainingDashboard(this);
  trainingDock_ = new QDockWidget(tr("Training"), this);
  trainingDock_->setObjectName("trainingDock");
  trainingDock_->setWidget(dashboard_);
  addDockWidget(Qt::BottomDockWidgetArea, trainingDock_);
  tabifyDockWidget(summaryDock_, trainingDock_);
  // The editor shows the summary table itself; the Keras text form stays under View.
  summaryDock_->hide();
  connect(summaryDock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
    if (visible) refreshSummary();
  });

  // Previews (issue 7): a fixed validation sample with true/predicted boxes, confusion matrices
  // and single-image inference, fed by an extra observer on the training thread.
  previews_ = new PreviewPanel(this);
  previews_->setClassNames({tr("T-shirt/top"), tr("Trouser"), tr("Pullover"), tr("Dress"),
                            tr("Coat"), tr("Sandal"), tr("Shirt"), tr("Sneaker"), tr("Bag"),
                            tr("Ankle boot")});
  previewDock_ = new QDockWidget(tr("Previews"), this);
  previewDock_->setObjectName("previewDock");
  previewDock_->setWidget(previews_);
  addDockWidget(Qt::BottomDockWidgetArea, previewDock_);
  tabifyDockWidget(trainingDock_, previewDock_);
  trainingDock_->raise();
  connect(dashboard_, &TrainingDashboard::jobPrepared, this,
          [this](const ModelSpec& spec, const CompileOptions& compile, const Dataset& data,
                 const FitOptions& fit) {
            try {
              previews_->configure(spec, compile, data, fit);
            } catch (const std::exception& e) {
              say(tr("Previews: %1").arg(QString::fromUtf8(e.what())));
            }
          });

  TrainingController* controller = dashboard_->trainingPanel()->controller();
  controller->addObserverFactory(previews_->driver()->observerFactory());
  // A new run starts from the model's newest imported weights (File > Load weights).
  importSource_ = std::make_shared<ImportedWeightsSource>();
  connect(dashboard_, &TrainingDashboard::jobPrepared, this, [this] {
    std::lock_guard lock(importSource_->mu);
    importSource_->path = session_->isUntitled() ? std::string() : session_->path().toStdString();
    importSource_->modelId = currentId_;
  });
  controller->addObserverFactory(
      [source = importSource_, self = QPointer<MainWindow>(this)](Model& model) {
        auto where = [source] {
          std::lock_guard lock(source->mu);
          return std::make_pair(source->path, source->modelId);
        };
        auto notify = [self](const QString& text) {
          QMetaObject::invokeMethod(
              qApp,
              [self, text] {
                if (self) self->say(text);
              },
              Qt::QueuedConnection);
        };
        return std::unique_ptr<TrainObserver>(
            std::make_unique<ImportedWeightsObserver>(model, where, notify));
      });
  session_->setWriteBlocker([controller] { return controller->isRunning(); });
  connect(controller, &TrainingController::runCreated, this, [this] {
    tree_->refreshRuns();
    updateActions();
  });
  connect(controller, &TrainingController::started, this, &MainWindow::updateActions);
  connect(controller, &TrainingController::epochEnd, this, [this, controller](int epoch) {
    tree_->setRunProgress(controller->runId(), QStringLiteral("running"), epoch + 1);
  });
  connect(controller, &TrainingController::finished, this, &MainWindow::onTrainingEnded);
  connect(controller, &TrainingController::failed, this, [this](const QString& message) {
    say(tr("Training failed: %1").arg(message));
    onTrainingEnded();
  });
  // Compile / fit / callback settings edited in the dashboard belong to the model.
  connect(dashboard_->compilePanel(), &CompilePanel::changed, this, [this] {
    if (loadingSettings_ || !session_->model(currentId_)) return;
    session_->setCompileSettings(currentId_, dashboard_->compilePanel()->settings());
  });

  connect(session_, &ProjectSession::projectChanged, this, &MainWindow::onProjectChanged);
  connect(session_, &ProjectSession::modelsChanged, this, &MainWindow::onModelsChanged);
  connect(session_, &ProjectSession::dirtyChanged, this, &MainWindow::updateTitle);
  connect(session_, &ProjectSession::message, this, &MainWindow::say);
  connect(tree_, &ProjectTree::modelActivated, this, [this](qint64 id) { showModel(id); });
  connect(tree_, &ProjectTree::runActivated, this, [this](qint64 modelId, qint64 runId) {
    // A run in the tree: its model, and the run selected in the dashboard's runs browser.
    if (modelId != currentId_) showModel(modelId);
    dashboard_->runsBrowser()->refresh();
    dashboard_->runsBrowser()->selectRuns({runId});
    dashboard_->tabs()->setCurrentWidget(dashboard_->runsBrowser());
    trainingDock_->show();
    trainingDock_->raise();
  });
  connect(tree_, &ProjectTree::renameRequested, this, &MainWindow::renameModel);
  connect(tree_, &ProjectTree::deleteRequested, this, &MainWindow::deleteModel);
  connect(scratch_->document(), &GraphDocument::validated, this, &MainWindow::refreshSummary);

  // After edits settle, the dashboard gets the graph as it stands (its own Start button then
  // trains what the editor shows).
  dashboardSync_ = new QTimer(this);
  dashboardSync_->setSingleShot(true);
  dashboardSync_->setInterval(300);
  connect(dashboardSync_, &QTimer::timeout, this, [this] {
    if (isTraining() || !session_->model(currentId_)) return;
    loadingSettings_ = true;
    dashboard_->setModel(editor()->document()->spec(), currentId_ > 0 ? currentId_ : 0);
    loadingSettings_ = false;
  });

  buildMenus();
  resize(1280, 820);
  // The canvas keeps most of the height; the dashboard starts at about a third.
  resizeDocks({trainingDock_}, {300}, Qt::Vertical);
  resizeDocks({treeDock_}, {220}, Qt::Horizontal);
  updateTitle();
  updateActions();
  refreshSummary();
}

MainWindow::~MainWindow() {
  // The session's write blocker asks the panel's controller: drop it before the panel goes.
  session_->setWriteBlocker({});
}

// ---- menus ------------------------------------------------------------------------------

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* newProject = file->addAction(tr("&New Project…"), this, [this] {
    QString path = choosePath(tr("New project"), kProjectFilter, true);
    if (!path.isEmpty()) this->newProject(path);
  });
  newProject->setObjectName("actionNewProject");
  auto* open = file->addAction(tr("&Open Project…"), QKeySequence::Open, this, [this] {
    QString path = choosePath(tr("Open project"), kProjectFilter, false);
    if (!path.isEmpty()) openProject(path);
  });
  open->setObjectName("actionOpenProject");
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  recentMenu_->setObjectName("menuRecent");
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();
  save_ = file->addAction(tr("&Save"), QKeySequence::Save, this, [this] { saveProject(); });
  save_->setObjectName("actionSave");
  saveAs_ = file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [this] {
    QString path = choosePath(tr("Save project as"), kProjectFilter, true);
    if (!path.isEmpty()) saveProjectAs(path);
  });
  saveAs_->setObjectName("actionSaveAs");
  closeProject_ = file->addAction(tr("&Close Project"), this, [this] { closeProject(); });
  closeProject_->setObjectName("actionCloseProject");
  file->addSeparator();
  templatesMenu_ = file->addMenu(tr("New &Model from Template"));
  templatesMenu_->setObjectName("menuTemplates");
  for (const QString& name : ModelTemplates::names()) {
    QAction* a =
        templatesMenu_->addAction(name, this, [this, name] { newModelFromTemplate(name); });
    a->setObjectName("actionTemplate_" + ModelTemplates::exampleFor(name));
  }
  examplesMenu_ = file->addMenu(tr("New Model from &Example"));
  examplesMenu_->setObjectName("menuExamples");
  for (const ExampleModel& e : ExampleLibrary::models()) {
    QAction* a = examplesMenu_->addAction(e.name, this,
                                          [this, name = e.name] { newModelFromExample(name); });
    a->setObjectName("actionExample_" + e.name);
  }
  importModel_ = file->addAction(tr("&Import model.json…"), this, [this] {
    QString path = choosePath(tr("Import model"), kModelFilter, false);
    if (!path.isEmpty()) openModel(path);
  });
  importModel_->setObjectName("actionImportModel");
  auto* exportMenu = file->addMenu(tr("&Export Model"));
  auto addExport = [&](const QString& text, const char* name, ExportKind kind) {
    QAction* a = exportMenu->addAction(text, this, [this, kind, text] {
      QString path = choosePath(text, kModelFilter, true);
      if (!path.isEmpty()) exportModel(path, kind);
    });
    a->setObjectName(name);
    return a;
  };
  exportArch_ = addExport(tr("Architecture only (model.json)…"), "actionExportArchitecture",
                          ExportKind::Architecture);
  exportWeights_ = addExport(tr("Weights only (manifest + shards)…"), "actionExportWeights",
                             ExportKind::WeightsOnly);
  exportFull_ =
      addExport(tr("Full model (architecture + weights + training config + optimizer state)…"),
                "actionExportFull", ExportKind::FullModel);
  loadWeights_ = file->addAction(tr("&Load Weights into This Model…"), this, [this] {
    QString path =
        choosePath(tr("Load weights"), tr("TF.js model.json or weights manifest (*.json)"), false);
    if (!path.isEmpty()) loadWeights(path);
  });
  loadWeights_->setObjectName("actionLoadWeights");
  loadWeights_->setToolTip(
      tr("Keras load_weights: weights matched by name to this graph; new runs start from them"));
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  editMenu_ = menuBar()->addMenu(tr("&Edit"));
  rebuildEditMenu();

  auto* trainMenu = menuBar()->addMenu(tr("&Train"));
  train_ = trainMenu->addAction(tr("&Train"), this, [this] { train(); });
  train_->setObjectName("actionTrain");
  train_->setShortcut(Qt::Key_F5);
  train_->setToolTip(tr("Train the current model (F5)"));
  stop_ = trainMenu->addAction(tr("&Stop"), this,
                               [this] { dashboard_->trainingPanel()->stopTraining(); });
  stop_->setObjectName("actionStop");
  trainMenu->addSeparator();
  dataSettings_ = trainMenu->addAction(tr("&Data..."), this, [this] { editDataSettings(); });
  dataSettings_->setObjectName("actionDataSettings");
  dataSettings_->setToolTip(tr("Choose the data the current model trains on"));

  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(treeDock_->toggleViewAction());
  view->addAction(summaryDock_->toggleViewAction());
  view->addAction(trainingDock_->toggleViewAction());
  view->addAction(previewDock_->toggleViewAction());

  toolbar_ = addToolBar(tr("Main"));
  toolbar_->setObjectName("mainToolBar");
  toolbar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolbar_->addAction(open);
  toolbar_->addAction(save_);
  toolbar_->addSeparator();
  toolbar_->addAction(train_);
  toolbar_->addAction(stop_);
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentProjects();
  for (const QString& path : recent) {
    QAction* a = recentMenu_->addAction(QFileInfo(path).fileName(), this,
                                        [this, path] { openProject(path); });
    a->setToolTip(path);
    a->setData(path);
  }
  if (recent.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::rebuildEditMenu() {
  editMenu_->clear();
  editMenu_->addActions(editor()->editorActions());
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

// ---- messages ---------------------------------------------------------------------------

void MainWindow::say(const QString& text) {
  lastMessage_ = text;
  statusBar()->showMessage(text, 8000);
}

QMessageBox::StandardButton MainWindow::ask(const QString& title, const QString& text,
                                            QMessageBox::StandardButtons buttons) {
  if (ask_) return ask_(title, text, buttons);
  QMessageBox box(QMessageBox::Question, title, text, buttons, this);
  return static_cast<QMessageBox::StandardButton>(box.exec());
}

void MainWindow::showError(const QString& title, const QString& text) {
  say(text);
  if (ask_) {
    ask_(title, text, QMessageBox::Ok);
    return;
  }
  QMessageBox::warning(this, title, text);
}

QString MainWindow::choosePath(const QString& caption, const QString& filter, bool save) {
  if (askPath_) return askPath_(caption, filter, save);
  return save ? QFileDialog::getSaveFileName(this, caption, {}, filter)
              : QFileDialog::getOpenFileName(this, caption, {}, filter);
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
  const bool project = session_->hasProject();
  const bool model = currentId_ != 0;
  const bool training = isTraining();
  save_->setEnabled(project);
  saveAs_->setEnabled(project && !training);
  closeProject_->setEnabled(project);
  train_->setEnabled(model && !training);
  if (dataSettings_) dataSettings_->setEnabled(model && !training);
  stop_->setEnabled(training);
  for (QAction* a : {exportArch_, exportWeights_, exportFull_}) a->setEnabled(model);
  if (loadWeights_) loadWeights_->setEnabled(model && !training);
}

void MainWindow::refreshSummary() {
  // The text form is built only while its dock is shown (the editor has the live table).
  if (summaryDock_->isVisible()) summary_->setPlainText(summaryText());
}

QString MainWindow::summaryText() const {
  if (!loadError_.isEmpty()) return loadError_;
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
    dashboardSync_->start();  // the dashboard follows the graph (debounced)
  });
  connect(ed, &GraphEditorWidget::message, this, &MainWindow::say);
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
  loadDashboard(id);
  updateActions();
  QTimer::singleShot(0, ed, [ed] { ed->view()->fitAll(); });
  return true;
}

// ---- projects ---------------------------------------------------------------------------

bool MainWindow::openProject(const QString& path) {
  if (!closeProject()) return false;
  QString error;
  if (!session_->open(path, &error)) {
    showError(tr("Open project"), tr("Could not open %1:\n%2").arg(path, error));
    return false;
  }
  addRecentProject(session_->path());
  if (!session_->models().isEmpty()) showModel(session_->models().front().id);
  say(tr("Opened %1").arg(session_->path()));
  return true;
}

bool MainWindow::newProject(const QString& path) {
  if (!closeProject()) return false;
  QString error;
  if (!session_->create(path, &error)) {
    showError(tr("New project"), tr("Could not create %1:\n%2").arg(path, error));
    return false;
  }
  addRecentProject(session_->path());
  say(tr("Created %1").arg(session_->path()));
  return true;
}

bool MainWindow::saveProject() {
  if (!session_->hasProject()) return true;
  if (session_->isUntitled()) {
    QString path = choosePath(tr("Save project as"), kProjectFilter, true);
    if (path.isEmpty()) return false;
    return saveProjectAs(path);
  }
  QString error;
  if (!session_->save(&error)) {
    if (session_->pendingSave()) {
      say(error);
      return false;
    }
    showError(tr("Save project"), tr("Could not save %1:\n%2").arg(session_->path(), error));
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
    showError(tr("Save project"), tr("Could not save %1:\n%2").arg(target, error));
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
  dashboard_->setProjectPath(QString());
  updateTitle();
  updateActions();
  return true;
}

bool MainWindow::openModel(const QString& path) {
  ModelFile file;
  try {
    file = readModelFile(path.toStdString());
  } catch (const std::exception& e) {
    loadError_ = tr("Could not open %1:\n%2").arg(path, what(e));
    summary_->setPlainText(loadError_);
    say(tr("Could not open %1").arg(path));
    return false;
  }
  loadError_.clear();
  if (!session_->hasProject()) {
    session_->newUntitled();
    session_->setUntitledName(QFileInfo(path).fileName());
  }
  QString name = QString::fromStdString(file.spec.name);
  if (name.isEmpty()) name = QFileInfo(path).dir().dirName();
  QString error;
  qint64 id = session_->addModel(name, file.spec.toKerasJson(), json::object(), file.trainingConfig,
                                 &error);
  if (!id) {
    showError(tr("Import model"), tr("Could not import %1:\n%2").arg(path, error));
    return false;
  }
  showModel(id);
  updateTitle();
  // The file's weights (and optimizer state) stay with the model as an imported run.
  QString kept;
  if (!file.weights.empty()) {
    QString note, why;
    if (session_->isUntitled())
      kept = tr("; its weights are not kept (save the project, then File > Load Weights)");
    else if (recordImportedWeights(id, file.spec, file, path, file.trainingConfig, &note, &why))
      kept = tr("; its weights are kept as an imported run%1").arg(note);
    else
      kept = tr("; its weights are not kept: %1").arg(why);
  }
  say(tr("Imported %1%2").arg(path, kept));
  return true;
}

qint64 MainWindow::recordImportedWeights(qint64 id, const ModelSpec& spec, const ModelFile& file,
                                         const QString& path, const json& trainingConfig,
                                         QString* note, QString* error) {
  try {
    Model model(spec, 0);
    const QString mismatch = weightsMismatch(model, file.weights);
    if (!mismatch.isEmpty()) throw Error(mismatch.toStdString());
    model.loadNamedWeights(file.weights);
    Checkpoint checkpoint;
    bool withState = false;
    if (!file.optimizerWeights.empty()) {
      try {
        if (trainingConfig.is_null()) throw Error("the file has no training config");
        Trainer trainer(model, CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs));
        setOptimizerWeights(trainer.optimizer(), model.trainableWeights(),
                            trainableWeightNames(model), file.optimizerWeights);
        checkpoint = makeCheckpoint(trainer, "last", 0, trainer.optimizer().iterations());
        withState = true;
        if (note)
          *note = tr(" with %1 optimizer state (%2 steps)")
                      .arg(QString::fromStdString(trainer.optimizer().name()))
                      .arg(trainer.optimizer().iterations());
      } catch (const std::exception& e) {
        if (note) *note = tr(" (optimizer state not kept: %1)").arg(what(e));
      }
    }
    if (!withState) checkpoint = weightsOnlyCheckpoint(model);
    checkpoint.meta["source"] = path.toStdString();

    const ProjectSession::Model* m = session_->model(id);
    json fit = json::object();
    if (m && m->compileSettings.is_object() && m->compileSettings.contains("fit"))
      fit = m->compileSettings["fit"];
    RunRecord run;
    run.name = "imported " + QFileInfo(path).fileName().toStdString();
    run.spec = spec.toKerasJson();
    run.settings = {{"imported", {{"file", path.toStdString()}, {"optimizer_state", withState}}},
                    {"compile", trainingConfig},
                    {"fit", fit},
                    {"callbacks", json::array()}};
    const qint64 runId = session_->addImportedRun(id, std::move(run), checkpoint, error);
    if (runId) {
      tree_->refreshRuns();
      dashboard_->runsBrowser()->refresh();
    }
    return runId;
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return 0;
  }
}

bool MainWindow::loadWeights(const QString& path) {
  const ProjectSession::Model* m = session_->model(currentId_);
  if (!m) {
    say(tr("Open or create a model first."));
    return false;
  }
  if (isTraining()) {
    showError(tr("Load weights"), tr("Stop training before loading weights."));
    return false;
  }
  try {
    const ModelSpec spec = editor()->document()->spec();
    ShapeReport report = inferShapes(spec);
    if (!report.ok())
      throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
    ModelFile file = readWeightsFile(path.toStdString());
    if (file.weights.empty()) throw Error("the file holds no weights");
    Model model(spec, 0);
    const QString mismatch = weightsMismatch(model, file.weights);
    if (!mismatch.isEmpty()) {
      showError(tr("Load weights"), tr("The weights in %1 do not fit %2; nothing was loaded.\n%3")
                                        .arg(path, m->name, mismatch));
      return false;
    }
    // Optimizer state is kept only with the file's own training config (the optimizer it
    // belongs to); a bare weights file leaves the model's compile settings to later runs.
    json trainingConfig = file.trainingConfig;
    if (trainingConfig.is_null() && m->compileSettings.is_object())
      trainingConfig = m->compileSettings.value("training_config", json());
    QString note, error;
    const qint64 runId =
        recordImportedWeights(currentId_, spec, file, path, trainingConfig, &note, &error);
    if (!runId) {
      showError(tr("Load weights"), tr("Could not load %1:\n%2").arg(path, error));
      return false;
    }
    say(tr("Loaded %1 weights from %2 as run %3%4; new runs of %5 start from them")
            .arg(file.weights.size())
            .arg(path)
            .arg(runId)
            .arg(note, m->name));
    return true;
  } catch (const std::exception& e) {
    showError(tr("Load weights"), tr("Could not load %1:\n%2").arg(path, what(e)));
    return false;
  }
}

qint64 MainWindow::newModelFromTemplate(const QString& name) {
  try {
    // The template laid out by dot, split into the project's spec and layout.
    GraphDocument doc;
    ModelTemplates::load(&doc, name);
    json spec = doc.toJson();
    json layout = spec.value("tessel_layout", json::object());
    spec.erase("tessel_layout");
    json trainingConfig;
    const QString example = ExampleLibrary::modelPath(ModelTemplates::exampleFor(name));
    if (!example.isEmpty()) trainingConfig = readModelFile(example.toStdString()).trainingConfig;
    const QString base = ModelTemplates::exampleFor(name).isEmpty()
                             ? QStringLiteral("model")
                             : ModelTemplates::exampleFor(name);
    QString error;
    qint64 id = session_->addModel(base, spec, layout, trainingConfig, &error);
    if (!id) {
      showError(tr("New model"), error);
      return 0;
    }
    showModel(id);
    return id;
  } catch (const std::exception& e) {
    showError(tr("New model"), what(e));
    return 0;
  }
}

qint64 MainWindow::newModelFromExample(const QString& name) {
  const QString path = ExampleLibrary::modelPath(name);
  if (path.isEmpty()) {
    showError(tr("New model"), tr("No bundled example named %1").arg(name));
    return 0;
  }
  try {
    ModelFile file = readModelFile(path.toStdString());
    QString error;
    qint64 id = session_->addModel(name, file.spec.toKerasJson(), json::object(),
                                   file.trainingConfig, &error);
    if (!id) {
      showError(tr("New model"), error);
      return 0;
    }
    showModel(id);
    return id;
  } catch (const std::exception& e) {
    showError(tr("New model"), what(e));
    return 0;
  }
}

bool MainWindow::exportModel(const QString& path, ExportKind kind) {
  const ProjectSession::Model* m = session_->model(currentId_);
  if (!m) return false;
  try {
    ModelSpec spec = editor()->document()->spec();
    ShapeReport report = inferShapes(spec);
    if (!report.ok())
      throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
    const json compile = m->compileSettings.is_object()
                             ? m->compileSettings.value("training_config", json())
                             : json();
    if (kind == ExportKind::Architecture) {
      writeModelFile(path.toStdString(), spec, {}, nullptr);
      say(tr("Exported the architecture to %1").arg(path));
      return true;
    }
    // Weights: the newest run of this model whose last checkpoint fits the graph as it stands,
    // else the initial weights (Keras initialisers, seed 0).
    Model model(spec, 0);
    NamedWeights weights;
    QString source = tr("initial weights (no trained run fits this graph)");
    std::vector<RunRecord> runs = session_->runs(currentId_);
    const RunRecord* sourceRun = nullptr;
    std::optional<Checkpoint> sourceCheckpoint;
    for (auto it = runs.rbegin(); it != runs.rend() && weights.empty(); ++it) {
      auto cp = session_->checkpoint(it->id, "last");
      if (!cp) continue;
      weights = checkpointWeights(*cp, model);
      if (weights.empty()) continue;
      source = tr("weights of run %1, epoch %2").arg(it->id).arg(cp->epoch);
      sourceRun = &*it;
      sourceCheckpoint = std::move(cp);
    }
    if (weights.empty())
      for (auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
    if (kind == ExportKind::FullModel) {
      ModelFile file;
      file.spec = spec;
      file.weights = weights;
      file.trainingConfig = compile;
      // Optimizer state of the source checkpoint (Keras model.save / tfjs includeOptimizer),
      // restored through the Resume path (restoreCheckpoint) with the run's own compile
      // settings; the training config is then the run's, its optimizer config as it stood at
      // the checkpoint (a learning rate changed by a callback included).
      QString state;
      if (sourceRun && sourceCheckpoint &&
          !sourceCheckpoint->meta.value("optimizer", std::string()).empty()) {
        try {
          const json runCompile = sourceRun->settings.value("compile", json());
          Trainer trainer(model, CompileOptions::fromTrainingConfig(runCompile, spec.outputs));
          restoreCheckpoint(trainer, *sourceCheckpoint);
          file.optimizerWeights =
              optimizerWeights(trainer.optimizer(), trainableWeightNames(model));
          file.trainingConfig = runCompile;
          file.trainingConfig["optimizer_config"] = trainer.optimizer().toJson();
          state = tr(" with %1 optimizer state (%2 steps)")
                      .arg(QString::fromStdString(trainer.optimizer().name()))
                      .arg(trainer.optimizer().iterations());
        } catch (const std::exception& e) {
          file.optimizerWeights.clear();
          file.trainingConfig = compile;
          state = tr(" without optimizer state (%1)").arg(what(e));
        }
      }
      writeModelFile(path.toStdString(), file);
      say(tr("Exported %1%2 to %3").arg(source, state, path));
      return true;
    }
    {
      // TF.js weights manifest (what tf.io.loadWeights reads): the model.json minus topology.
      writeModelFile(path.toStdString(), spec, weights, nullptr);
      QFile f(path);
      if (!f.open(QIODevice::ReadOnly)) throw Error("cannot read back " + path.toStdString());
      json written = json::parse(f.readAll().toStdString());
      f.close();
      json manifest = {{"format", "weights-manifest"},
                       {"generatedBy", written.value("generatedBy", json())},
                       {"weightsManifest", written["weightsManifest"]}};
      if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw Error("cannot write " + path.toStdString());
      f.write(QByteArray::fromStdString(manifest.dump(1)));
    }
    say(tr("Exported %1 to %2").arg(source, path));
    return true;
  } catch (const std::exception& e) {
    showError(tr("Export model"), tr("Could not export to %1:\n%2").arg(path, what(e)));
    return false;
  }
}

void MainWindow::renameModel(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return;
  bool ok = false;
  QString name =
      QInputDialog::getText(this, tr("Rename model"), tr("Name:"), QLineEdit::Normal, m->name, &ok);
  if (!ok) return;
  QString error;
  if (!session_->renameModel(id, name, &error)) showError(tr("Rename model"), error);
}

void MainWindow::deleteModel(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return;
  if (ask(tr("Delete model"), tr("Delete the model %1 and all its runs?").arg(m->name),
          QMessageBox::Yes | QMessageBox::Cancel) != QMessageBox::Yes)
    return;
  QString error;
  if (!session_->deleteModel(id, &error)) showError(tr("Delete model"), error);
}

// ---- training ---------------------------------------------------------------------------

bool MainWindow::isTraining() const {
  return dashboard_->isTraining();
}

TrainingPanel* MainWindow::trainingPanel() const {
  return dashboard_->trainingPanel();
}

void MainWindow::loadDashboard(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m || isTraining()) return;
  loadingSettings_ = true;
  dashboard_->setProjectPath(session_->isUntitled() ? QString() : session_->path());
  dashboard_->setModel(editor()->document()->spec(), id > 0 ? id : 0);
  if (m->compileSettings.is_object()) dashboard_->compilePanel()->setSettings(m->compileSettings);
  loadingSettings_ = false;
}

bool MainWindow::train() {
  if (isTraining()) return false;
  const ProjectSession::Model* m = session_->model(currentId_);
  if (!m) {
    say(tr("Open or create a model first."));
    return false;
  }
  // The run records the model as saved: write pending edits first.
  if (!session_->isUntitled() && session_->isDirty()) session_->save();
  const ModelSpec spec = editor()->document()->spec();
  Dataset data;
  std::optional<Dataset> validation, test;
  try {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    // The model's data settings (the default for the model when it has none); the settings'
    // validation part, when there is one, wins over the Compile panel's validation_split.
    data = data_.forModel(spec, m->dataSettings, trainLimit_, &validation, &test);
    QApplication::restoreOverrideCursor();
  } catch (const std::exception& e) {
    QApplication::restoreOverrideCursor();
    showError(tr("Train"), tr("Cannot train %1: %2").arg(m->name, what(e)));
    return false;
  }
  const QString path = session_->isUntitled() ? QString() : session_->path();
  loadingSettings_ = true;
  dashboard_->setProjectPath(path);
  dashboard_->setModel(spec, currentId_ > 0 ? currentId_ : 0);
  loadingSettings_ = false;
  // The run records what it trains on (settings with fitted statistics, and their hash).
  dashboard_->setDataSettings(data_.last() ? data_.last()->settings.toJson() : json());
  dashboard_->setTestData(std::move(test));
  // Previews name classes as the data set does (Fashion-MNIST's names, image-folder subfolders,
  // a CSV label vocabulary); numbers when it has none.
  QStringList classNames;
  if (data_.last())
    for (const std::string& name : data_.last()->classNames)
      classNames << QString::fromStdString(name);
  previews_->setClassNames(classNames);
  previews_->setAllTruthBoxes(data_.last() ? data_.last()->validationBoxes
                                           : std::vector<std::vector<std::array<float, 4>>>{});
  dashboard_->setValidationData(std::move(validation));
  dashboard_->setData(std::move(data));
  trainingDock_->show();
  trainingDock_->raise();
  dashboard_->startTraining();
  updateActions();
  if (!isTraining()) {
    say(tr("Training did not start: see the pre-flight list in the Training panel"));
    return false;
  }
  say(path.isEmpty() ? tr("Training %1 (not recorded: the project has no file yet)").arg(m->name)
                     : tr("Training %1").arg(m->name));
  return true;
}

bool MainWindow::editDataSettings() {
  const ProjectSession::Model* m = session_->model(currentId_);
  if (!m || isTraining()) return false;
  const ModelSpec spec = editor()->document()->spec();
  DataImportDialog dialog(this);
  dialog.setObjectName("dataImportDialog");
  dialog.setWindowTitle(tr("Data for %1").arg(m->name));
  try {
    const DataSettings stored = BuiltinData::settingsFor(spec, m->dataSettings);
    dialog.setSettings(stored.toJson());
    // The statistics fitted when these settings were last built (standardize_global).
    if (const auto& last = data_.last()) {
      DataSettings built = last->settings;
      built.mean = stored.mean;
      built.std = stored.std;
      if (built.toJson() == stored.toJson())
        dialog.setFittedStatistics(last->settings.mean, last->settings.std);
    }
  } catch (const std::exception& e) {
    say(tr("The stored data settings are not valid: %1").arg(what(e)));
  }
  if (dialog.exec() != QDialog::Accepted) return false;
  session_->setDataSettings(currentId_, dialog.settings());
  say(tr("Data settings of %1: %2").arg(m->name, dialog.summary()));
  return true;
}

void MainWindow::onTrainingEnded() {
  tree_->refreshRuns();
  QString error;
  if (session_->pendingSave() && !session_->flushPending(&error))
    say(tr("Could not save: %1").arg(error));
  updateActions();
}

bool MainWindow::confirmStopTraining(const QString& action) {
  if (!isTraining()) return true;
  if (stopping_) return false;
  if (ask(tr("Training in progress"),
          tr("A model is training. Stop the run and %1?\nThe run is kept in the project, marked "
             "stopped.")
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
  const auto answer = ask(tr("Unsaved changes"),
                          tr("%1 has unsaved changes. Save them?").arg(session_->displayName()),
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
  restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
}

}  // namespace tessel::ui
