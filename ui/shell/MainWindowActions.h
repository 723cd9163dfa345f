#pragma once
// The studio window's menus, actions and toolbar. File: new model (Ctrl+N), new (Ctrl+Shift+N) /
// open / open recent / save / save as / close project, new model from a template or an example,
// import model.json, export model (architecture only, weights only, full model, ONNX, Python
// script, TensorBoard logs of the model's runs), load weights. Edit: the current editor's
// actions. Train: train, stop, data settings. View: the docks, the gradient playground. Each action
// calls the window's command of the same name; update() enables what the state allows.
#include <QList>
#include <QObject>

class QAction;
class QDockWidget;
class QMenu;
class QToolBar;

namespace tessel::ui {

class MainWindow;
class ShellPrompts;

class MainWindowActions : public QObject {
  Q_OBJECT
 public:
  MainWindowActions(MainWindow* window, ShellPrompts* prompts);

  // Builds the menu bar (View lists `docks`) and the main toolbar.
  void build(const QList<QDockWidget*>& docks);
  // What the state allows: a project open, a model shown, training running.
  void update(bool project, bool model, bool training);
  // Edit: the current editor's actions.
  void setEditActions(const QList<QAction*>& actions);

  QToolBar* toolBar() const { return toolbar_; }
  QAction* trainAction() const { return train_; }
  QAction* saveAction() const { return save_; }
  QAction* saveAsAction() const { return saveAs_; }
  QMenu* recentMenu() const { return recentMenu_; }

 private:
  QAction* buildProjectActions(QMenu* file);  // returns Open (also on the toolbar)
  void buildModelActions(QMenu* file);
  void buildExportActions(QMenu* file);
  void buildTrainMenu();
  void rebuildRecentMenu();

  MainWindow* window_;
  ShellPrompts* prompts_;
  QToolBar* toolbar_ = nullptr;
  QMenu *recentMenu_ = nullptr, *editMenu_ = nullptr;
  QMenu *templatesMenu_ = nullptr, *examplesMenu_ = nullptr;
  QAction *save_ = nullptr, *saveAs_ = nullptr, *closeProject_ = nullptr;
  QAction *train_ = nullptr, *stop_ = nullptr, *importModel_ = nullptr;
  QAction* dataSettings_ = nullptr;
  QAction *exportArch_ = nullptr, *exportWeights_ = nullptr, *exportFull_ = nullptr;
  QAction *exportOnnx_ = nullptr, *exportPython_ = nullptr, *exportTensorBoard_ = nullptr;
  QAction* loadWeights_ = nullptr;
};

}  // namespace tessel::ui
