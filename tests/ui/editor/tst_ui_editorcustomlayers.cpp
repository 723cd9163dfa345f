// Reusable custom layer classes: a CustomLayer node becomes a named class through the canvas
// context menu, the class appears in the palette's "Custom" group, two nodes of it are dropped
// from the palette (each with its own params), the project is saved and reopened (the class comes
// back from the file), and the reopened model trains one epoch.
#include <QApplication>
#include <QInputDialog>
#include <QMenu>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>
#include <cmath>

#include "engine/io/KerasCustomClasses.h"
#include "engine/train/Trainer.h"
#include "tests/engine/train/TrainTestUtil.h"
#include "tests/support/Screenshot.h"
#include "tests/ui/editor/EditorTestSupport.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

QMenu* openContextMenu(GraphEditorWidget& w, const QString& node) {
  const QPoint p = toView(w, w.scene()->nodeItem(node)->mapToScene(QPointF(90, 40)));
  QContextMenuEvent event(QContextMenuEvent::Mouse, p, viewport(w)->mapToGlobal(p));
  QApplication::sendEvent(viewport(w), &event);
  auto* menu = w.findChild<QMenu*>("canvasContextMenu");
  return menu && menu->isVisible() ? menu : nullptr;
}

// Answers the next QInputDialog with `text` (typed into its line edit) and OK.
void answerInputDialog(const QString& text) {
  QTimer::singleShot(0, [text] {
    auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
    if (!dialog) {
      for (QWidget* top : QApplication::topLevelWidgets())
        if (auto* d = qobject_cast<QInputDialog*>(top); d && d->isVisible()) dialog = d;
    }
    QVERIFY(dialog);
    auto* edit = dialog->findChild<QLineEdit*>();
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClicks(edit, text);
    dialog->accept();
  });
}

const NodeSpec* nodeOf(const ModelSpec& spec, const std::string& name) {
  for (const NodeSpec& n : spec.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

}  // namespace

class TestEditorCustomLayers : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void defineDragSaveReopenTrain() {
    const QString path = dir_.filePath("custom.tessel");
    ProjectSession session;
    QString error;
    QVERIFY2(session.create(path, &error), qPrintable(error));
    const qint64 id = session.addModel("model", json::object(), json::object(), nullptr, &error);
    QVERIFY2(id, qPrintable(error));

    GraphEditorWidget w;
    session.attach(id, w.document(), w.undoStack());
    setupWindow(w);
    // No class yet: the Custom group holds only the built-in expression layers.
    QVERIFY(!w.palette()->itemFor("MyDense"));

    // input_1 -> custom_layer (the CustomizedDenseLayer template, units 30).
    QVERIFY(dropLayer(w, "InputLayer", {100, 100}));
    QVERIFY(dropLayer(w, "CustomLayer", {100, 300}));
    clickNode(w, "input_1");
    typeInInspector(w, "batch_input_shape", "[null, 8]");
    dragEdge(w, "input_1", "custom_layer", 0);

    // Context menu on the node: Save as Custom Class... -> "MyDense".
    QMenu* menu = openContextMenu(w, "custom_layer");
    QVERIFY(menu);
    QAction* define = menu->findChild<QAction*>("defineCustomClass");
    if (!define)
      for (QAction* a : menu->actions())
        if (a->objectName() == "defineCustomClass") define = a;
    QVERIFY(define);
    menu->hide();
    answerInputDialog("MyDense");
    define->trigger();
    QVERIFY(CustomClassLibrary::instance().find("MyDense"));
    QCOMPARE(w.document()->node("custom_layer")->config["custom_class"].get<std::string>(),
             std::string("MyDense"));
    QVERIFY(session.isDirty());

    // The palette lists it under Custom, draggable.
    QTreeWidgetItem* item = w.palette()->itemFor("MyDense");
    QVERIFY(item);
    QVERIFY(item->parent());
    QCOMPARE(item->parent()->text(0), QString("Custom"));
    QVERIFY(item->flags() & Qt::ItemIsDragEnabled);
    w.palette()->tree()->scrollToItem(item);
    tessel::testutil::saveScreenshot(w.palette(), "custom_palette.png");
    // A bad name is refused with a reason.
    QVERIFY(!CustomClassLibrary::checkName("Dense").isEmpty());
    QVERIFY(!CustomClassLibrary::checkName("2x").isEmpty());

    // Drag it onto the canvas twice; chain custom_layer -> my_dense -> my_dense_1.
    QVERIFY(dropLayer(w, "MyDense", {100, 500}));
    QVERIFY(dropLayer(w, "MyDense", {100, 700}));
    const NodeSpec* a = w.document()->node("my_dense");
    const NodeSpec* b = w.document()->node("my_dense_1");
    QVERIFY(a && b);
    QCOMPARE(a->className, std::string("CustomLayer"));
    QCOMPARE(a->config["call"], w.document()->node("custom_layer")->config["call"]);
    QCOMPARE(b->config["custom_class"].get<std::string>(), std::string("MyDense"));
    dragEdge(w, "custom_layer", "my_dense", 0);
    dragEdge(w, "my_dense", "my_dense_1", 0);
    // The last one gets its own units (1, linear): a regression head.
    QString why = GraphCommand::push(
        w.undoStack(), new SetConfigCommand(w.document(), QString("my_dense_1"), "params",
                                            json{{"units", 1}, {"activation", nullptr}}));
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QCOMPARE(w.document()->node("my_dense")->config["params"]["units"].get<int>(), 30);

    QVERIFY2(session.save(&error), qPrintable(error));
    QVERIFY(!session.isDirty());

    // Reopen: the library is emptied on close and filled from the file.
    session.close();
    QVERIFY(!w.palette()->itemFor("MyDense"));
    QVERIFY2(session.open(path, &error), qPrintable(error));
    QVERIFY(w.palette()->itemFor("MyDense"));
    QVERIFY(!session.isDirty());
    const auto def = CustomClassLibrary::instance().find("MyDense");
    QVERIFY(def);
    QCOMPARE((*def)["call"].get<std::string>(), std::string("activation(x @ kernel + bias)"));
    const qint64 reopened = session.modelIdByName("model");
    QVERIFY(reopened);
    w.document()->fromJson(session.model(reopened)->spec);
    QVERIFY(dropLayer(w, "MyDense", {400, 300}));  // still usable after reopening
    QVERIFY(w.document()->node("my_dense_2"));

    // Train the reopened model one epoch: finite loss, the custom weights move.
    ModelSpec spec = ModelSpec::fromKerasJson(session.model(reopened)->spec);
    QVERIFY(nodeOf(spec, "my_dense_1"));
    QCOMPARE(nodeOf(spec, "my_dense_1")->config["params"]["units"].get<int>(), 1);
    Model m(spec, 1);
    const std::vector<Tensor> before = m.getWeights();
    Dataset d;
    Rng rng(4);
    Tensor x({64, 8}), y({64, 1});
    for (Index i = 0; i < 64; ++i) {
      float t = 0;
      for (Index j = 0; j < 8; ++j) t += (x[i * 8 + j] = rng.uniform(-1, 1)) * 0.5f;
      y[i] = t;
    }
    d.x = {Array::fromTensor(x)};
    d.y = {Array::fromTensor(y)};
    Trainer t(m, CompileOptions{{json("mse")}, {}, {}, tessel::test::sgd(0.01)});
    FitOptions o;
    o.epochs = 1, o.batchSize = 16, o.verbose = 0, o.seed = 3;
    History h = t.fit(d, o);
    QCOMPARE(h["loss"].size(), size_t(1));
    QVERIFY(std::isfinite(h["loss"][0]));
    const std::vector<Tensor> after = m.getWeights();
    QCOMPARE(after.size(), size_t(6));  // kernel + bias of each of the three custom nodes
    bool moved = false;
    for (size_t k = 0; k < after.size(); ++k)
      for (Index i = 0; i < after[k].size(); ++i) moved |= after[k][i] != before[k][i];
    QVERIFY(moved);
  }
};

QTEST_MAIN(TestEditorCustomLayers)
#include "tst_ui_editorcustomlayers.moc"
