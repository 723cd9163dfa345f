// The project's models through the window's real menus (offscreen): File > New Project starts
// with a blank model "model" that is listed, trainable, saved and autosaved, and is found again
// by a fresh window after quitting; File > New Model (Ctrl+N) names models as Keras does; the
// project tree's context menu (right click, then a click on the entry) makes, duplicates, renames,
// deletes and exports models; the "Wide & deep" template keeps its ampersand in the menu.
// Screenshot (TESSEL_SCREENSHOTS=<dir>): studio_tree_menu.png, the window at 1280x800 with the
// tree's context menu open.
#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QtTest>
#include <functional>

#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

QString shownTitle(const QWidget& w) {
  QString t = w.windowTitle();
  return t.replace("[*]", w.isWindowModified() ? "*" : "");
}

// Layer class names of a stored Keras JSON.
QStringList classesIn(const json& spec) {
  QStringList out;
  for (const auto& l : spec["config"]["layers"])
    out << QString::fromStdString(l["class_name"].get<std::string>());
  return out;
}

QAction* fileMenuAction(MainWindow& w, const QString& objectName) {
  QMenu* file = w.menuBar()->actions().value(0)->menu();
  if (!file) return nullptr;
  for (QAction* a : file->actions())
    if (a->objectName() == objectName) return a;
  return nullptr;
}

// Right-clicks `item` of the tree (the empty area below the items for nullptr), then clicks the
// menu entry `name` once the menu shows; `whileOpen` runs with the menu on screen. False when the
// menu or the entry did not show.
bool pickFromTreeMenu(ProjectTree* tree, QTreeWidgetItem* item, const QString& name,
                      const std::function<void(QMenu*)>& whileOpen = {}) {
  const QPoint pos =
      item ? tree->visualItemRect(item).center() : QPoint(10, tree->viewport()->height() - 10);
  bool picked = false;
  QTimer::singleShot(0, tree, [&] {
    auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
    if (!menu) return;
    if (whileOpen) whileOpen(menu);
    for (QAction* a : menu->actions()) {
      if (a->objectName() != name) continue;
      picked = true;
      QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
      return;
    }
    menu->close();
  });
  QContextMenuEvent event(QContextMenuEvent::Mouse, pos, tree->viewport()->mapToGlobal(pos));
  QApplication::sendEvent(tree->viewport(), &event);
  return picked;
}

}  // namespace

class TestUiShellModels : public QObject {
  Q_OBJECT

  QTemporaryDir settingsDir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_shellmodels");
    ExampleLibrary::setExtraRoot(TESSEL_SOURCE_DIR "/resources/examples");
  }

  // What is drawn in a new project is a model of the project: listed, trainable, saved, autosaved,
  // and there after quitting.
  void newProjectKeepsTheDrawing() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("drawn.tessel");
    {
      MainWindow window;
      window.setPathPolicy([&](const QString&, const QString&, bool) { return path; });
      window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
        return QMessageBox::Discard;
      });
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      QAction* newProject = fileMenuAction(window, "actionNewProject");
      QVERIFY(newProject);
      newProject->trigger();
      QCOMPARE(window.session()->path(), QFileInfo(path).absoluteFilePath());
      ProjectTree* tree = window.projectTree();
      QCOMPARE(tree->topLevelItemCount(), 1);
      QCOMPARE(tree->topLevelItem(0)->text(0), QString("model"));
      QVERIFY(window.currentModelId() > 0);
      QCOMPARE(tree->currentModelId(), window.currentModelId());
      QVERIFY(window.trainAction()->isEnabled());
      QVERIFY(window.findChild<QAction*>("actionDataSettings")->isEnabled());
      {
        Project p = Project::open(path.toStdString(), true);
        QCOMPARE(p.models().size(), size_t(1));
      }

      QVERIFY(!window.editor()->addLayerAtCentre("Dense").isEmpty());
      QCOMPARE(tree->topLevelItem(0)->text(0), QString("model*"));
      QCOMPARE(shownTitle(window), QString("drawn.tessel* — Tessel Studio"));
      QTest::mouseClick(window.mainToolBar()->widgetForAction(window.saveAction()), Qt::LeftButton);
      QCOMPARE(shownTitle(window), QString("drawn.tessel — Tessel Studio"));
      {
        Project p = Project::open(path.toStdString(), true);
        QCOMPARE(p.models().size(), size_t(1));
        QCOMPARE(p.models()[0].name, std::string("model"));
        QVERIFY(classesIn(p.models()[0].spec).contains("Dense"));
      }
      // Autosave writes later edits like any model's.
      QVERIFY(!window.editor()->addLayerAtCentre("Dropout").isEmpty());
      QVERIFY(window.session()->autosaveNow());
      QVERIFY(window.close());
    }
    // A fresh session and a fresh window find the model and its nodes.
    ProjectSession session;
    QVERIFY(session.open(path));
    QCOMPARE(session.models().size(), qsizetype(1));
    QCOMPARE(session.models()[0].name, QString("model"));
    QCOMPARE(classesIn(session.models()[0].spec), (QStringList{"Dense", "Dropout"}));
    MainWindow again;
    QVERIFY(again.openProject(path));
    QCOMPARE(again.projectTree()->topLevelItemCount(), 1);
    QCOMPARE(again.editor()->document()->spec().nodes.size(), size_t(2));
    QCOMPARE(again.editor()->document()->spec().nodes[0].className, std::string("Dense"));
  }

  // File > New Model: Ctrl+N (New Project moves to Ctrl+Shift+N), blank models named as Keras
  // names them, each written to the file at once.
  void newModelFromTheFileMenu() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("models.tessel");
    MainWindow window;
    QVERIFY(window.newProject(path));
    QAction* newModel = fileMenuAction(window, "actionNewModel");
    QVERIFY(newModel);
    QCOMPARE(newModel->shortcut(), QKeySequence(QKeySequence::New));
    QCOMPARE(fileMenuAction(window, "actionNewProject")->shortcut(),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    newModel->trigger();
    newModel->trigger();
    QStringList names;
    for (int i = 0; i < window.projectTree()->topLevelItemCount(); ++i)
      names << window.projectTree()->topLevelItem(i)->text(0);
    QCOMPARE(names, (QStringList{"model", "model_1", "model_2"}));
    QCOMPARE(window.currentModelId(), window.session()->modelIdByName("model_2"));
    QVERIFY(window.editor()->document()->spec().nodes.empty());
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(p.models().size(), size_t(3));
    QCOMPARE(p.models()[2].name, std::string("model_2"));
  }

  // The tree's context menu: New Model, Duplicate, Rename…, Delete, Export….
  void treeContextMenuCommands() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("tree.tessel");
    MainWindow window;
    QStringList asked;
    window.setAskPolicy([&](const QString& title, const QString&, QMessageBox::StandardButtons) {
      asked << title;
      return QMessageBox::Yes;
    });
    QString nextName, nextPath;
    window.prompts()->setTextPolicy(
        [&](const QString&, const QString&, const QString&) { return nextName; });
    window.setPathPolicy([&](const QString&, const QString&, bool) { return nextPath; });
    QVERIFY(window.newProject(path));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ProjectTree* tree = window.projectTree();
    const qint64 first = window.currentModelId();
    QVERIFY(!window.editor()->addLayerAtCentre("Dense").isEmpty());

    // Duplicate: the graph as edited, under the next Keras name.
    const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS");
    QVERIFY(pickFromTreeMenu(tree, tree->modelItem(first), "treeDuplicateModel", [&](QMenu* menu) {
      QStringList texts;
      for (QAction* a : menu->actions())
        if (!a->isSeparator()) texts << a->text();
      QCOMPARE(texts, (QStringList{"New Model", "Duplicate", "Rename…", "Delete", "Export…"}));
      if (shots.isEmpty()) return;
      QPixmap shot = window.grab();
      QPainter painter(&shot);
      painter.drawPixmap(window.mapFromGlobal(menu->mapToGlobal(QPoint(0, 0))), menu->grab());
      painter.end();
      QDir().mkpath(shots);
      shot.save(QDir(shots).filePath("studio_tree_menu.png"));
    }));
    const qint64 copy = window.session()->modelIdByName("model_1");
    QVERIFY(copy);
    QCOMPARE(window.currentModelId(), copy);
    QCOMPARE(window.editor()->document()->spec().nodes.size(), size_t(1));

    // New Model from the empty area of the tree.
    QVERIFY(pickFromTreeMenu(tree, nullptr, "treeNewModel"));
    QVERIFY(window.session()->modelIdByName("model_2"));

    // Rename asks the name.
    nextName = "encoder";
    QVERIFY(pickFromTreeMenu(tree, tree->modelItem(copy), "treeRenameModel"));
    QCOMPARE(window.session()->model(copy)->name, QString("encoder"));
    QCOMPARE(tree->modelItem(copy)->text(0).remove('*'), QString("encoder"));

    // Export shows the model and writes its model.json (weights included).
    window.findChild<QAction*>("actionTemplate_wide_deep")->trigger();
    const qint64 wide = window.currentModelId();
    QVERIFY(window.showModel(first));
    QDir(tmp.path()).mkpath("out");
    nextPath = tmp.filePath("out/model.json");
    QVERIFY(pickFromTreeMenu(tree, tree->modelItem(wide), "treeExportModel"));
    QCOMPARE(window.currentModelId(), wide);
    ModelFile exported = readModelFile(nextPath.toStdString());
    QVERIFY(exported.spec == window.editor()->document()->spec());
    QVERIFY(!exported.weights.empty());

    // Delete asks first, then the model is gone from the tree and the file.
    QVERIFY(pickFromTreeMenu(tree, tree->modelItem(copy), "treeDeleteModel"));
    QCOMPARE(asked, QStringList{"Delete model"});
    QVERIFY(!tree->modelItem(copy));
    Project p = Project::open(path.toStdString(), true);
    QVERIFY(!p.model(copy));
    QCOMPARE(p.models().size(), size_t(3));
  }

  // Deleting the last model leaves a blank one to draw in, never the unlisted scratch canvas.
  void deletingTheLastModelLeavesABlankOne() {
    QTemporaryDir tmp;
    MainWindow window;
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Yes;
    });
    QVERIFY(window.newProject(tmp.filePath("one.tessel")));
    const qint64 only = window.currentModelId();
    QVERIFY(!window.editor()->addLayerAtCentre("Dense").isEmpty());
    QVERIFY(pickFromTreeMenu(window.projectTree(), window.projectTree()->modelItem(only),
                             "treeDeleteModel"));
    QCOMPARE(window.projectTree()->topLevelItemCount(), 1);
    QVERIFY(window.currentModelId() > 0);
    QVERIFY(window.session()->model(window.currentModelId()));
    QCOMPARE(window.projectTree()->topLevelItem(0)->text(0), QString("model"));
    QVERIFY(window.editor()->document()->spec().nodes.empty());
    QCOMPARE(window.projectTree()->currentModelId(), window.currentModelId());
  }

  // "Wide & deep" shows with its ampersand (a single & would mark a mnemonic and vanish).
  void templateNamesShowTheirAmpersand() {
    MainWindow window;
    QAction* wideDeep = window.findChild<QAction*>("actionTemplate_wide_deep");
    QVERIFY(wideDeep);
    QCOMPARE(wideDeep->iconText(), QString("Wide & deep"));
    auto* menu = window.findChild<QMenu*>("menuTemplates");
    QVERIFY(menu);
    QStringList shown;
    for (QAction* a : menu->actions()) shown << a->iconText();
    QVERIFY2(shown.contains("Wide & deep, two inputs"), qPrintable(shown.join(" | ")));
    wideDeep->trigger();
    QCOMPARE(window.session()->model(window.currentModelId())->name, QString("wide_deep"));
  }
};

QTEST_MAIN(TestUiShellModels)
#include "tst_ui_shellmodels.moc"
