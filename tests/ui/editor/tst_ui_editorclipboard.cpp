// Auto layout (Ctrl+L, Graphviz dot: one undo step), the overview (click and drag move the main
// view), cut/copy/paste as Keras JSON on the clipboard and duplicate (Ctrl+D), all through key
// and mouse events on the canvas.
#include <QClipboard>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "engine/io/TfjsModel.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphClipboard.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"
#include "ui/editor/GraphMinimap.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

ModelSpec example(const char* name) {
  return readModelFile(std::string(TESSEL_SOURCE_DIR "/resources/examples/") + name + "/model.json")
      .spec;
}

// Every edge goes left to right and no two boxes overlap.
QString layoutProblem(GraphEditorWidget& w) {
  GraphDocument* doc = w.document();
  const QStringList names = doc->nodeNames();
  for (int i = 0; i < names.size(); ++i)
    for (int j = i + 1; j < names.size(); ++j)
      if (w.scene()->nodeItem(names[i])->sceneBoundingRect().intersects(
              w.scene()->nodeItem(names[j])->sceneBoundingRect()))
        return names[i] + " overlaps " + names[j];
  for (const auto& n : doc->spec().nodes)
    for (const auto& in : n.inputs)
      if (doc->position(QString::fromStdString(in)).x() + NodeItem::kWidth >
          doc->position(QString::fromStdString(n.name)).x())
        return QString::fromStdString(in + " is not left of " + n.name);
  return {};
}

}  // namespace

class TestUiEditorClipboard : public QObject {
  Q_OBJECT

 private slots:
  void autoLayoutByShortcut() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    w.setModel(example("wide_deep_multi_output"));
    // Scramble: every node on a diagonal, by mouse-free document moves through one command.
    std::map<QString, std::pair<QPointF, QPointF>> moves;
    int k = 0;
    for (const QString& n : doc->nodeNames())
      moves[n] = {doc->position(n), QPointF(k * 7, k * 5)}, ++k;
    w.undoStack()->push(new MoveNodesCommand(doc, moves));
    QVERIFY(!layoutProblem(w).isEmpty());
    const std::string scrambled = doc->toJson().dump();
    const int steps = w.undoStack()->count();
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->count(), steps + 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Auto layout"));
    QVERIFY2(layoutProblem(w).isEmpty(), qPrintable(layoutProblem(w)));
    // Edges follow the nodes.
    for (EdgeItem* e : w.scene()->edgeItems())
      QCOMPARE(e->path().currentPosition(),
               w.scene()->nodeItem(e->to())->inputPortScenePos(e->port()));
    // The whole graph is in view.
    const QRectF visible = w.view()->mapToScene(w.view()->viewport()->rect()).boundingRect();
    for (const QString& n : doc->nodeNames())
      QVERIFY(visible.contains(w.scene()->nodeItem(n)->sceneBoundingRect()));
    // Same again through the tool bar button: nothing moves, no new step.
    w.autoLayoutAction()->trigger();
    QCOMPARE(w.undoStack()->count(), steps + 1);
    w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), scrambled);
    // dot keeps a merge layer's port order: the producer of port 0 is above that of port 1.
    const ModelSpec spec = example("wide_deep");
    const auto pos = GraphLayout::dot(spec);
    for (const auto& n : spec.nodes)
      if (n.inputs.size() == 2) QVERIFY(pos.at(n.inputs[0]).y() < pos.at(n.inputs[1]).y());
  }

  void overviewMovesTheView() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(example("fashion_mnist_cnn"));
    w.autoLayout();
    GraphMinimap* map = w.minimap();
    // Fitted: the overview stays out of the way.
    QCoreApplication::processEvents();
    QVERIFY(map->isHidden());
    // Zoomed in on the first layer: the graph no longer fits, the overview appears.
    w.view()->setZoom(1.5);
    w.selectNode(w.document()->nodeNames().first());
    QCoreApplication::processEvents();
    QVERIFY(!map->isHidden());
    QVERIFY(map->geometry().bottom() <= w.view()->viewport()->geometry().bottom() + 1);
    const QRectF graph = w.scene()->itemsBoundingRect();
    QVERIFY(map->shownSceneRect().contains(graph));
    QVERIFY(map->shownSceneRect().contains(map->visibleSceneRect()));
    // Click on the overview where the last layer is: the main view centres there.
    const QString last = w.document()->nodeNames().last();
    const QPointF target = w.scene()->nodeItem(last)->sceneBoundingRect().center();
    const QPoint click = map->mapFromScene(target);
    const QPointF clickScene = map->mapToScene(click);
    QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, click);
    QVERIFY((w.view()->visibleCentre() - clickScene).manhattanLength() < 4);
    QVERIFY(w.view()
                ->mapToScene(w.view()->viewport()->rect())
                .boundingRect()
                .contains(w.scene()->nodeItem(last)->sceneBoundingRect().center()));
    // Drag in the overview: the view follows the mouse.
    const QPoint a = map->mapFromScene(graph.center());
    const QPoint b = a + QPoint(-30, 0);
    QTest::mousePress(map->viewport(), Qt::LeftButton, {}, a);
    QTest::mouseMove(map->viewport(), a + QPoint(-15, 0));
    const QPointF dragScene = map->mapToScene(b);  // the scale holds during the drag
    QTest::mouseMove(map->viewport(), b);
    QVERIFY((w.view()->visibleCentre() - dragScene).manhattanLength() < 4);
    QTest::mouseRelease(map->viewport(), Qt::LeftButton, {}, b);
    QVERIFY(w.grab().save(TESSEL_BINARY_DIR "/tst_ui_editorclipboard_overview.png"));
    // The Overview action hides it.
    w.overviewAction()->setChecked(false);
    QVERIFY(map->isHidden());
  }

  void copyPasteCutDuplicate() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    QVERIFY(dropLayer(w, "InputLayer", QPointF(100, 100)));
    QVERIFY(dropLayer(w, "Dense", QPointF(400, 100)));
    QVERIFY(dropLayer(w, "Dropout", QPointF(700, 100)));
    dragEdge(w, "input_1", "dense", 0);
    dragEdge(w, "dense", "dropout", 0);
    const std::string built = doc->toJson().dump();

    // Select dense + dropout (click, ctrl+click), Ctrl+C: Keras JSON of the two and their edge.
    clickNode(w, "dense");
    clickNode(w, "dropout", Qt::ControlModifier);
    QCOMPARE(w.scene()->selectedNodeNames().size(), 2);
    const int steps = w.undoStack()->count();
    QTest::keyClick(w.view(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->count(), steps);
    const json copied = json::parse(QApplication::clipboard()->text().toStdString());
    QCOMPARE(copied["class_name"], json("Functional"));
    QCOMPARE(copied["config"]["layers"].size(), size_t(2));
    QCOMPARE(copied["config"]["layers"][0]["name"], json("dense"));
    QCOMPARE(copied["config"]["layers"][0]["inbound_nodes"], json::array());  // input_1 stays
    QCOMPARE(copied["config"]["layers"][1]["inbound_nodes"][0][0][0], json("dense"));
    QCOMPARE(copied["config"]["output_layers"][0][0], json("dropout"));
    QVERIFY(copied.contains("tessel_layout"));

    // No two nodes overlap (pastes never stack on the originals).
    auto overlap = [&] {
      const QStringList names = doc->nodeNames();
      for (int i = 0; i < names.size(); ++i)
        for (int j = i + 1; j < names.size(); ++j)
          if (w.scene()->nodeItem(names[i])->sceneBoundingRect().intersects(
                  w.scene()->nodeItem(names[j])->sceneBoundingRect()))
            return true;
      return false;
    };
    // Ctrl+V (the mouse is still on dropout): renamed as Keras does, at the mouse but clear of
    // the other nodes, selected, one undo step.
    QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->count(), steps + 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Paste"));
    QVERIFY(doc->hasNode("dense_1") && doc->hasNode("dropout_1"));
    QCOMPARE(doc->node("dropout_1")->inputs, std::vector<std::string>{"dense_1"});
    QVERIFY(doc->node("dense_1")->inputs.empty());
    QCOMPARE(doc->node("dense_1")->config["name"], json("dense_1"));
    QCOMPARE(doc->position("dropout_1") - doc->position("dense_1"),
             doc->position("dropout") - doc->position("dense"));
    QVERIFY(!overlap());
    QStringList sel = w.scene()->selectedNodeNames();
    sel.sort();
    QCOMPARE(sel, (QStringList{"dense_1", "dropout_1"}));
    QCOMPARE(w.scene()->edgeItems().size(), 3);
    // Pasting again: clear of both.
    QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(doc->hasNode("dense_2") && doc->hasNode("dropout_2"));
    QVERIFY(!overlap());

    // Ctrl+D duplicates the selection (dense_2, dropout_2) in one step.
    QTest::keyClick(w.view(), Qt::Key_D, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->undoText(), QString("Duplicate"));
    QVERIFY(doc->hasNode("dense_3") && doc->hasNode("dropout_3"));
    QCOMPARE(doc->node("dropout_3")->inputs, std::vector<std::string>{"dense_3"});

    // Ctrl+X cuts: clipboard holds them, they are gone, one step restores them.
    const std::string beforeCut = doc->toJson().dump();
    QTest::keyClick(w.view(), Qt::Key_X, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->undoText(), QString("Cut"));
    QVERIFY(!doc->hasNode("dense_3") && !doc->hasNode("dropout_3"));
    QVERIFY(QApplication::clipboard()->text().contains("\"dropout_3\""));
    w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), beforeCut);
    w.undoStack()->redo();

    // Text from elsewhere: a Keras Sequential typed in an editor, pasted (the mouse has left the
    // canvas) in the middle of the view.
    QApplication::clipboard()->setText(
        R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
             {"class_name": "Dense", "config": {"name": "dense", "units": 5,
              "batch_input_shape": [null, 3]}},
             {"class_name": "Dense", "config": {"name": "head", "units": 2}}]}})");
    w.view()->setFocus();
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(w.view()->viewport(), &leave);
    QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(w.undoStack()->undoText(), QString("Paste"));
    QVERIFY(doc->hasNode("head"));
    const QString pastedDense = QString::fromStdString(doc->node("head")->inputs.at(0));
    QCOMPARE(pastedDense, QString("dense_3"));  // "dense" is taken; dense_3 was cut
    QCOMPARE(doc->node(pastedDense)->config["units"], json(5));
    const QString pastedInput = QString::fromStdString(doc->node(pastedDense)->inputs.at(0));
    QCOMPARE(doc->node(pastedInput)->className, std::string("InputLayer"));
    QCOMPARE(doc->outputShapeText("head"), QString("(None, 2)"));
    QVERIFY(w.scene()->nodeItem("head")->isSelected());
    QVERIFY(w.view()
                ->mapToScene(w.view()->viewport()->rect())
                .boundingRect()
                .contains(w.scene()->nodeItem("head")->sceneBoundingRect()));
    // A single layer object works too; garbage is refused with a message and changes nothing.
    QVERIFY(!w.pasteText(R"({"class_name": "Dropout", "config": {"name": "d", "rate": 0.3}})")
                 .isEmpty());
    QVERIFY(doc->hasNode("d"));
    const int n = w.undoStack()->count();
    QVERIFY(w.pasteText("hello").isEmpty());
    QCOMPARE(w.undoStack()->count(), n);
    QVERIFY(w.statusMessage().contains("Keras"));

    // Undo everything pasted: the model as built.
    while (w.undoStack()->count() > steps && w.undoStack()->index() > steps) w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), built);
  }

  void uniqueNamesLikeKeras() {
    QCOMPARE(GraphClipboard::uniqueName("dense", {"x"}), std::string("dense"));
    QCOMPARE(GraphClipboard::uniqueName("dense", {"dense"}), std::string("dense_1"));
    QCOMPARE(GraphClipboard::uniqueName("dense_3", {"dense", "dense_3", "dense_1"}),
             std::string("dense_2"));
    QCOMPARE(GraphClipboard::uniqueName("my_net", {"my_net"}), std::string("my_net_1"));
  }
};

QTEST_MAIN(TestUiEditorClipboard)
#include "tst_ui_editorclipboard.moc"
