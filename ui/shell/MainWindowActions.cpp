#include "ui/shell/MainWindowActions.h"

#include <QAction>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>

#include "ui/MainWindow.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/expr/GradientPlayground.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/shell/ShellPrompts.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::ui {

MainWindowActions::MainWindowActions(MainWindow* window, ShellPrompts* prompts)
    : QObject(window), window_(window), prompts_(prompts) {}

void MainWindowActions::build(const QList<QDockWidget*>& docks) {
  auto* file = window_->menuBar()->addMenu(tr("&File"));
  QAction* open = buildProjectActions(file);
  file->addSeparator();
  buildModelActions(file);
  buildExportActions(file);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, window_, &QWidget::close);

  editMenu_ = window_->menuBar()->addMenu(tr("&Edit"));
  buildTrainMenu();

  auto* view = window_->menuBar()->addMenu(tr("&View"));
  for (QDockWidget* dock : docks) view->addAction(dock->toggleViewAction());
  view->addSeparator();
  view->addAction(tr("&Gradient Playground"), this,
                  [w = window_] { GradientPlayground::showFor(w); })
      ->setObjectName("actionGradientPlayground");

  toolbar_ = window_->addToolBar(tr("Main"));
  toolbar_->setObjectName("mainToolBar");
  toolbar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolbar_->addAction(open);
  toolbar_->addAction(save_);
  toolbar_->addSeparator();
  toolbar_->addAction(train_);
  toolbar_->addAction(stop_);
}

QAction* MainWindowActions::buildProjectActions(QMenu* file) {
  MainWindow* w = window_;
  ShellPrompts* p = prompts_;
  auto* newModel =
      file->addAction(tr("&New Model"), QKeySequence::New, this, [w] { w->newModel(); });
  newModel->setObjectName("actionNewModel");
  newModel->setToolTip(tr("A blank model in this project (Ctrl+N)"));
  auto* newProject = file->addAction(tr("New &Project…"), this, [w, p] {
    QString path = p->choosePath(tr("New project"), kProjectFileFilter, true);
    if (!path.isEmpty()) w->newProject(path);
  });
  newProject->setObjectName("actionNewProject");
  newProject->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
  auto* open = file->addAction(tr("&Open Project…"), QKeySequence::Open, this, [w, p] {
    QString path = p->choosePath(tr("Open project"), kProjectFileFilter, false);
    if (!path.isEmpty()) w->openProject(path);
  });
  open->setObjectName("actionOpenProject");
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  recentMenu_->setObjectName("menuRecent");
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindowActions::rebuildRecentMenu);
  rebuildRecentMenu();
  save_ = file->addAction(tr("&Save"), QKeySequence::Save, this, [w] { w->saveProject(); });
  save_->setObjectName("actionSave");
  saveAs_ = file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [w, p] {
    QString path = p->choosePath(tr("Save project as"), kProjectFileFilter, true);
    if (!path.isEmpty()) w->saveProjectAs(path);
  });
  saveAs_->setObjectName("actionSaveAs");
  closeProject_ = file->addAction(tr("&Close Project"), this, [w] { w->closeProject(); });
  closeProject_->setObjectName("actionCloseProject");
  return open;
}

void MainWindowActions::buildModelActions(QMenu* file) {
  MainWindow* w = window_;
  templatesMenu_ = file->addMenu(tr("New &Model from Template"));
  templatesMenu_->setObjectName("menuTemplates");
  for (const QString& name : ModelTemplates::names()) {
    // "Wide & deep": a single & in a menu text marks a mnemonic; && shows it.
    QAction* a = templatesMenu_->addAction(QString(name).replace('&', QLatin1String("&&")), this,
                                           [w, name] { w->newModelFromTemplate(name); });
    a->setObjectName("actionTemplate_" + ModelTemplates::exampleFor(name));
  }
  templatesMenu_->addSection(tr("keras.applications"));
  for (const std::string& app : applicationNames()) {
    const QString name = QString::fromStdString(app);
    QAction* a = templatesMenu_->addAction(name + QStringLiteral("…"), this,
                                           [w, name] { w->newModelFromApplication(name); });
    a->setObjectName("actionApplication_" + name);
    a->setStatusTip(QString::fromStdString(applicationDescription(app)));
  }
  examplesMenu_ = file->addMenu(tr("New Model from &Example"));
  examplesMenu_->setObjectName("menuExamples");
  for (const ExampleModel& e : ExampleLibrary::models()) {
    QAction* a = examplesMenu_->addAction(e.name, this,
                                          [w, name = e.name] { w->newModelFromExample(name); });
    a->setObjectName("actionExample_" + e.name);
  }
  ShellPrompts* p = prompts_;
  importModel_ =
      file->addAction(tr("&Import Model (model.json, .keras, .h5, .onnx)…"), this, [w, p] {
        QString path =
            p->choosePath(tr("Import model"),
                          tr("Keras / TF.js / ONNX model (*.json *.keras *.h5 *.hdf5 *.onnx);;"
                             "Keras / TF.js model (*.json *.keras *.h5 *.hdf5);;ONNX (*.onnx)"),
                          false);
        if (!path.isEmpty()) w->openModel(path);
      });
  importModel_->setObjectName("actionImportModel");
}

void MainWindowActions::buildExportActions(QMenu* file) {
  MainWindow* w = window_;
  ShellPrompts* p = prompts_;
  auto* exportMenu = file->addMenu(tr("&Export Model"));
  exportMenu->setObjectName("menuExport");
  auto addExport = [&](const QString& text, const char* name, MainWindow::ExportKind kind,
                       const QString& filter = kModelFileFilter) {
    QAction* a = exportMenu->addAction(text, this, [w, p, kind, text, filter] {
      QString path = p->choosePath(text, filter, true);
      if (!path.isEmpty()) w->exportModel(path, kind);
    });
    a->setObjectName(name);
    return a;
  };
  exportArch_ = addExport(tr("Architecture only (model.json)…"), "actionExportArchitecture",
                          MainWindow::ExportKind::Architecture);
  exportWeights_ = addExport(tr("Weights only (manifest + shards)…"), "actionExportWeights",
                             MainWindow::ExportKind::WeightsOnly);
  exportFull_ =
      addExport(tr("Full model (architecture + weights + training config + optimizer state)…"),
                "actionExportFull", MainWindow::ExportKind::FullModel);
  exportMenu->addSeparator();
  addExport(tr("Keras 3 archive (.keras)…"), "actionExportKeras",
            MainWindow::ExportKind::KerasArchive, tr("Keras models (*.keras)"));
  addExport(tr("Keras 2 HDF5 model with optimizer state (.h5)…"), "actionExportKerasH5",
            MainWindow::ExportKind::KerasH5, tr("Keras HDF5 models (*.h5)"));
  addExport(tr("Keras weights only (.weights.h5)…"), "actionExportKerasWeights",
            MainWindow::ExportKind::KerasWeights, tr("Keras weights (*.weights.h5)"));
  exportOnnx_ = addExport(tr("ONNX model (opset 13)…"), "actionExportOnnx",
                          MainWindow::ExportKind::Onnx, tr("ONNX models (*.onnx)"));
  exportPython_ = addExport(tr("Python script (Keras training)…"), "actionExportPython",
                            MainWindow::ExportKind::PythonScript, tr("Python scripts (*.py)"));
  exportTensorBoard_ =
      exportMenu->addAction(tr("TensorBoard logs of this model's runs…"), this, [w, p] {
        QString dir = p->chooseFolder(tr("TensorBoard log folder"));
        if (!dir.isEmpty()) w->exportTensorBoard(dir);
      });
  exportTensorBoard_->setObjectName("actionExportTensorBoard");
  loadWeights_ = file->addAction(tr("&Load Weights into This Model…"), this, [w, p] {
    QString path = p->choosePath(
        tr("Load weights"), tr("Keras or TF.js weights (*.weights.h5 *.h5 *.keras *.json)"), false);
    if (!path.isEmpty()) w->loadWeights(path);
  });
  QAction* byName = file->addAction(tr("Load Weights by Layer &Name (Keras 2 .h5)…"), this, [w, p] {
    QString path =
        p->choosePath(tr("Load weights by layer name"), tr("Keras 2 weights (*.h5 *.hdf5)"), false);
    if (!path.isEmpty()) w->loadWeights(path, /*byName=*/true);
  });
  byName->setObjectName("actionLoadWeightsByName");
  loadWeights_->setObjectName("actionLoadWeights");
  loadWeights_->setToolTip(
      tr("Keras load_weights: weights matched by name to this graph; new runs start from them"));
}

void MainWindowActions::buildTrainMenu() {
  MainWindow* w = window_;
  auto* trainMenu = window_->menuBar()->addMenu(tr("&Train"));
  train_ = trainMenu->addAction(tr("&Train"), this, [w] { w->train(); });
  train_->setObjectName("actionTrain");
  train_->setShortcut(Qt::Key_F5);
  train_->setToolTip(tr("Train the current model (F5)"));
  stop_ = trainMenu->addAction(tr("&Stop"), this, [w] { w->trainingPanel()->stopTraining(); });
  stop_->setObjectName("actionStop");
  trainMenu->addSeparator();
  dataSettings_ = trainMenu->addAction(tr("&Data..."), this, [w] { w->editDataSettings(); });
  dataSettings_->setObjectName("actionDataSettings");
  dataSettings_->setToolTip(tr("Choose the data the current model trains on"));
}

void MainWindowActions::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = MainWindow::recentProjects();
  MainWindow* w = window_;
  for (const QString& path : recent) {
    QAction* a = recentMenu_->addAction(QFileInfo(path).fileName(), this,
                                        [w, path] { w->openProject(path); });
    a->setToolTip(path);
    a->setData(path);
  }
  if (recent.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindowActions::setEditActions(const QList<QAction*>& actions) {
  editMenu_->clear();
  editMenu_->addActions(actions);
}

void MainWindowActions::update(bool project, bool model, bool training) {
  save_->setEnabled(project);
  saveAs_->setEnabled(project && !training);
  closeProject_->setEnabled(project);
  train_->setEnabled(model && !training);
  dataSettings_->setEnabled(model && !training);
  stop_->setEnabled(training);
  for (QAction* a : {exportArch_, exportWeights_, exportFull_, exportOnnx_, exportPython_})
    a->setEnabled(model);
  exportTensorBoard_->setEnabled(model);
  loadWeights_->setEnabled(model && !training);
  for (const char* name : {"actionExportKeras", "actionExportKerasH5", "actionExportKerasWeights"})
    if (auto* a = window_->findChild<QAction*>(name)) a->setEnabled(model);
  if (auto* a = window_->findChild<QAction*>("actionLoadWeightsByName"))
    a->setEnabled(model && !training);
}

}  // namespace tessel::ui
