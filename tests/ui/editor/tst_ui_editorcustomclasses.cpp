// The project's custom layer classes after they exist: redefining a class (Save as Custom Class…
// under its own name) updates the other nodes of it, the palette's context menu renames and
// deletes a class, each one undo step with the library; a model.json with registered custom
// classes adds them to the palette when it is imported.
#include <QApplication>
#include <QInputDialog>
#include <QMenu>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

#include "engine/io/KerasCustomClasses.h"
#include "engine/io/TfjsModel.h"
#include "tests/support/Screenshot.h"
#include "tests/ui/editor/EditorTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/editor/CustomClassActions.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

// Answers the next QInputDialog with `text` (typed into its line edit) and OK.
void answerInputDialog(const QString& text) {
  QTimer::singleShot(0, [text] {
    QInputDialog* dialog = nullptr;
    for (QWidget* top : QApplication::topLevelWidgets())
      if (auto* d = qobject_cast<QInputDialog*>(top); d && d->isVisible()) dialog = d;
    QVERIFY(dialog);
    auto* edit = dialog->findChild<QLineEdit*>();
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClicks(edit, text);
    dialog->accept();
  });
}

// Right-click on the palette entry of `cls`: the palette's class menu, or nullptr.
QMenu* paletteMenu(GraphEditorWidget& w, const QString& cls) {
  QTreeWidgetItem* item = w.palette()->itemFor(cls);
  if (!item) return nullptr;
  LayerPaletteTree* tree = w.palette()->tree();
  tree->scrollToItem(item);
  const QPoint p = tree->visualItemRect(item).center();
  QContextMenuEvent event(QContextMenuEvent::Mouse, p, tree->viewport()->mapToGlobal(p));
  QApplication::sendEvent(tree->viewport(), &event);
  QMenu* found = nullptr;
  for (QMenu* m : w.findChildren<QMenu*>("customClassMenu"))
    if (m->isVisible()) found = m;
  return found;
}

QAction* action(QMenu* menu, const char* name) {
  for (QAction* a : menu->actions())
    if (a->objectName() == name) return a;
  return nullptr;
}

std::string configString(GraphEditorWidget& w, const char* node, const char* key) {
  const NodeSpec* n = w.document()->node(node);
  return n ? n->config.value(key, std::string("<missing>")) : std::string("<no node>");
}

const std::string kReluCall = "tf.nn.relu(x @ kernel + bias)";

}  // namespace

class TestEditorCustomClasses : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  // Two nodes of class MyDense: custom_layer (defined it) and my_dense (dropped from the palette).
  void twoNodesOfMyDense(GraphEditorWidget& w) {
    setupWindow(w);
    QVERIFY(dropLayer(w, "CustomLayer", {100, 100}));
    QVERIFY(defineCustomClass(&w, "custom_layer", "MyDense").isEmpty());
    QVERIFY(dropLayer(w, "MyDense", {100, 300}));
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("MyDense"));
  }

 private slots:
  void init() { CustomClassLibrary::instance().replaceAll(json::object()); }

  void redefiningUpdatesTheOtherNodes() {
    GraphEditorWidget w;
    twoNodesOfMyDense(w);
    const std::string oldCall = configString(w, "my_dense", "call");
    QVERIFY(oldCall != kReluCall);
    // Give my_dense its own units: a redefinition must keep them.
    QVERIFY(GraphCommand::push(w.undoStack(),
                               new SetConfigCommand(w.document(), QString("my_dense"), "params",
                                                    json{{"units", 3}, {"activation", nullptr}}))
                .isEmpty());
    // Change custom_layer's call, then Save as Custom Class under the same name (context menu).
    QVERIFY(GraphCommand::push(
                w.undoStack(),
                new SetConfigCommand(w.document(), QString("custom_layer"), "call", kReluCall))
                .isEmpty());
    QCOMPARE(configString(w, "my_dense", "call"), oldCall);  // not yet
    const int before = w.undoStack()->index();
    const QPoint p = toView(w, w.scene()->nodeItem("custom_layer")->mapToScene(QPointF(90, 40)));
    QContextMenuEvent event(QContextMenuEvent::Mouse, p, viewport(w)->mapToGlobal(p));
    QApplication::sendEvent(viewport(w), &event);
    auto* menu = w.findChild<QMenu*>("canvasContextMenu");
    QVERIFY(menu && menu->isVisible());
    QAction* define = action(menu, "defineCustomClass");
    QVERIFY(define);
    menu->hide();
    answerInputDialog("MyDense");
    define->trigger();

    QCOMPARE((*CustomClassLibrary::instance().find("MyDense"))["call"].get<std::string>(),
             kReluCall);
    QCOMPARE(configString(w, "my_dense", "call"), kReluCall);
    QCOMPARE(w.document()->node("my_dense")->config["params"]["units"].get<int>(), 3);
    QCOMPARE(w.undoStack()->index(), before + 1);  // one undo step

    // Undo: the class and the other node go back together; the edited node keeps its edit.
    w.undoStack()->undo();
    QCOMPARE((*CustomClassLibrary::instance().find("MyDense"))["call"].get<std::string>(), oldCall);
    QCOMPARE(configString(w, "my_dense", "call"), oldCall);
    QCOMPARE(configString(w, "custom_layer", "call"), kReluCall);
    w.undoStack()->redo();
    QCOMPARE(configString(w, "my_dense", "call"), kReluCall);

    // A brand-new class name touches no other node.
    int updated = -1;
    QVERIFY(defineCustomClass(&w, "custom_layer", "Other", &updated).isEmpty());
    QCOMPARE(updated, 0);
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("MyDense"));
  }

  void paletteRenamesAndDeletes() {
    GraphEditorWidget w;
    twoNodesOfMyDense(w);
    QMenu* menu = paletteMenu(w, "MyDense");
    QVERIFY(menu);
    QVERIFY(action(menu, "deleteCustomClass")->text().contains("2"));  // 2 layers use it
    tessel::testutil::saveScreenshot(&w, "custom_class_menu_editor.png");
    tessel::testutil::saveScreenshot(menu, "custom_class_menu.png");
    QAction* rename = action(menu, "renameCustomClass");
    QVERIFY(rename);
    menu->hide();
    const int before = w.undoStack()->index();
    answerInputDialog("ScaledDense");
    rename->trigger();
    QVERIFY(!CustomClassLibrary::instance().find("MyDense"));
    QVERIFY(CustomClassLibrary::instance().find("ScaledDense"));
    QVERIFY(!w.palette()->itemFor("MyDense"));
    QVERIFY(w.palette()->itemFor("ScaledDense"));
    QCOMPARE(configString(w, "custom_layer", "custom_class"), std::string("ScaledDense"));
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("ScaledDense"));
    QCOMPARE(w.undoStack()->index(), before + 1);
    // Refused: a built-in layer's name, a taken name, not an identifier; nothing changes.
    QVERIFY(!renameCustomClass(&w, "ScaledDense", "Dense").isEmpty());
    CustomClassLibrary::instance().set("Taken", json{{"weights", json::array()}, {"call", "x"}});
    QVERIFY(!renameCustomClass(&w, "ScaledDense", "Taken").isEmpty());
    QVERIFY(!renameCustomClass(&w, "ScaledDense", "2x").isEmpty());
    QCOMPARE(w.undoStack()->index(), before + 1);
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("ScaledDense"));
    // Undo the rename: the old name everywhere.
    w.undoStack()->undo();
    QVERIFY(CustomClassLibrary::instance().find("MyDense"));
    QVERIFY(!CustomClassLibrary::instance().find("ScaledDense"));
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("MyDense"));

    // Delete from the palette: the nodes stay, with their call, as anonymous custom layers.
    const std::string call = configString(w, "my_dense", "call");
    menu = paletteMenu(w, "MyDense");
    QVERIFY(menu);
    QAction* remove = action(menu, "deleteCustomClass");
    menu->hide();
    remove->trigger();
    QVERIFY(!CustomClassLibrary::instance().find("MyDense"));
    QVERIFY(!w.palette()->itemFor("MyDense"));
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string());
    QCOMPARE(configString(w, "my_dense", "call"), call);
    json topology = w.document()->spec().toKerasJson();
    writeCustomClassLayers(topology);
    QVERIFY(topology.dump().find("\"MyDense\"") == std::string::npos);
    w.undoStack()->undo();
    QVERIFY(CustomClassLibrary::instance().find("MyDense"));
    QVERIFY(w.palette()->itemFor("MyDense"));
    QCOMPARE(configString(w, "my_dense", "custom_class"), std::string("MyDense"));
    // Only project classes have the menu.
    QVERIFY(!paletteMenu(w, "Dense"));
  }

  void importAddsClassesToThePalette() {
    // A model.json whose layer is a registered custom class "Scaled" (as Keras writes one).
    GraphEditorWidget source;
    setupWindow(source);
    QVERIFY(dropLayer(source, "InputLayer", {100, 100}));
    QVERIFY(dropLayer(source, "CustomLayer", {100, 300}));
    clickNode(source, "input_1");
    typeInInspector(source, "batch_input_shape", "[null, 4]");
    dragEdge(source, "input_1", "custom_layer", 0);
    QVERIFY(GraphCommand::push(source.undoStack(),
                               new SetConfigCommand(source.document(), QString("custom_layer"),
                                                    "custom_class", std::string("Scaled")))
                .isEmpty());
    const QString path = dir_.filePath("scaled/model.json");
    QDir().mkpath(dir_.filePath("scaled"));
    writeModelFile(path.toStdString(), source.document()->spec(), {});
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("\"class_name\":\"Scaled\""));

    CustomClassLibrary::instance().replaceAll(json::object());
    MainWindow window;
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Ok;
    });
    QVERIFY(window.openModel(path));
    const auto def = CustomClassLibrary::instance().find("Scaled");
    QVERIFY(def);
    QCOMPARE((*def)["call"], source.document()->node("custom_layer")->config["call"]);
    QVERIFY2(window.statusBar()->currentMessage().contains("custom classes Scaled added"),
             qPrintable(window.statusBar()->currentMessage()));

    // The project already has a different "Scaled": it is kept, the import says so.
    json other = *def;
    other["call"] = "x";
    CustomClassLibrary::instance().replaceAll(json{{"Scaled", other}});
    QVERIFY(window.openModel(path));
    QCOMPARE((*CustomClassLibrary::instance().find("Scaled"))["call"].get<std::string>(),
             std::string("x"));
    QVERIFY2(window.statusBar()->currentMessage().contains("classes Scaled differ"),
             qPrintable(window.statusBar()->currentMessage()));
  }
};

QTEST_MAIN(TestEditorCustomClasses)
#include "tst_ui_editorcustomclasses.moc"
