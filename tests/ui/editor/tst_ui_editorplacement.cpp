// Where edits put things, driven by real events: the "Insert Flatten" fix from the node's context
// menu puts the Flatten on the edge between the input and the Dense (moving the Dense and what
// follows it right when there is no room, all one undo step), the summary lists it between them;
// Ctrl+C / Ctrl+V with the mouse over the canvas pastes at the mouse, Ctrl+D and a paste with the
// mouse elsewhere put the copy below the originals, the context menu's Paste pastes where the
// menu was opened, never on another node; an edge's shape label moves along the curve out from
// under a node placed on it.
#include <QClipboard>
#include <QMenu>
#include <QPushButton>
#include <QTableWidget>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

// Input(28, 28, 1) -> Dense 10, drawn by mouse: the Dense offers "Insert Flatten".
void inputIntoDense(GraphEditorWidget& w, QPointF input, QPointF dense) {
  QVERIFY(dropLayer(w, "InputLayer", input));
  QVERIFY(dropLayer(w, "Dense", dense));
  clickNode(w, "input_1");
  typeInInspector(w, "batch_input_shape", "[null, 28, 28, 1]");
  dragEdge(w, "input_1", "dense", 0);
  QVERIFY(w.scene()->nodeItem("dense")->hasFix());
}

// The context menu the editor opens on a right click at scene point `at` (a real event).
QMenu* openContextMenu(GraphEditorWidget& w, QPointF at) {
  const QPoint p = toView(w, at);
  QContextMenuEvent event(QContextMenuEvent::Mouse, p, viewport(w)->mapToGlobal(p));
  QApplication::sendEvent(viewport(w), &event);
  auto* menu = w.findChild<QMenu*>("canvasContextMenu");
  return menu && menu->isVisible() ? menu : nullptr;
}

QAction* actionNamed(QMenu* menu, const QString& prefix) {
  for (QAction* a : menu->actions())
    if (a->text().remove('&').startsWith(prefix)) return a;
  return nullptr;
}

// Whether any two nodes' boxes overlap.
QString overlapping(GraphEditorWidget& w) {
  const QStringList nodes = w.document()->nodeNames();
  for (int i = 0; i < nodes.size(); ++i)
    for (int j = i + 1; j < nodes.size(); ++j)
      if (w.scene()->nodeItem(nodes[i])->sceneBoundingRect().intersects(
              w.scene()->nodeItem(nodes[j])->sceneBoundingRect()))
        return nodes[i] + " / " + nodes[j];
  return {};
}

QStringList summaryRows(GraphEditorWidget& w) {
  QStringList rows;
  QTableWidget* t = w.summaryPanel()->table();
  for (int r = 0; r < t->rowCount(); ++r) rows << t->item(r, SummaryPanel::LayerColumn)->text();
  return rows;
}

}  // namespace

class TestUiEditorPlacement : public QObject {
  Q_OBJECT

 private slots:
  void insertedFlattenGoesOnTheEdge() {
    GraphEditorWidget w;
    setupWindow(w);
    // Close together: no room between them for a node.
    inputIntoDense(w, QPointF(150, 150), QPointF(420, 150));
    QVERIFY(dropLayer(w, "Dropout", QPointF(700, 150)));
    dragEdge(w, "dense", "dropout", 0);
    const QPointF inputPos = w.document()->position("input_1");
    const QPointF densePos = w.document()->position("dense");
    const QPointF dropoutPos = w.document()->position("dropout");
    const int steps = w.undoStack()->count();

    QMenu* menu = openContextMenu(w, densePos + QPointF(90, 40));
    QVERIFY(menu);
    QAction* fix = actionNamed(menu, "Fix: Insert Flatten");
    QVERIFY(fix);
    menu->hide();
    fix->trigger();
    QCOMPARE(w.undoStack()->count(), steps + 1);
    QCOMPARE(w.document()->node("dense")->inputs, std::vector<std::string>{"flatten"});

    NodeItem* input = w.scene()->nodeItem("input_1");
    NodeItem* flatten = w.scene()->nodeItem("flatten");
    NodeItem* dense = w.scene()->nodeItem("dense");
    QVERIFY(flatten);
    // Left to right: input, flatten, dense; nothing overlaps; both edges run forward.
    QVERIFY(input->sceneBoundingRect().right() < flatten->sceneBoundingRect().left());
    QVERIFY(flatten->sceneBoundingRect().right() < dense->sceneBoundingRect().left());
    QVERIFY2(overlapping(w).isEmpty(), qPrintable(overlapping(w)));
    QVERIFY(std::abs(flatten->pos().y() - inputPos.y()) < 40);
    for (EdgeItem* e : w.scene()->edgeItems()) {
      const QPainterPath p = e->path();
      QVERIFY(p.pointAtPercent(1).x() > p.pointAtPercent(0).x());
    }
    // The consumer and what follows moved right by the same amount; the input stayed.
    QCOMPARE(w.document()->position("input_1"), inputPos);
    const QPointF shift = w.document()->position("dense") - densePos;
    QVERIFY(shift.x() > 0);
    QCOMPARE(w.document()->position("dropout") - dropoutPos, shift);
    // The summary lists layers producers first, as Keras does.
    QCOMPARE(summaryRows(w), (QStringList{"input_1 (InputLayer)", "flatten (Flatten)",
                                          "dense (Dense)", "dropout (Dropout)"}));
    // One undo step brings everything back.
    w.undoStack()->undo();
    QVERIFY(!w.document()->hasNode("flatten"));
    QCOMPARE(w.document()->position("dense"), densePos);
    QCOMPARE(w.document()->position("dropout"), dropoutPos);
  }

  void insertedFlattenBetweenDistantNodesMovesNothing() {
    GraphEditorWidget w;
    setupWindow(w);
    inputIntoDense(w, QPointF(100, 150), QPointF(800, 150));
    const QPointF densePos = w.document()->position("dense");
    clickNode(w, "dense");
    QCOMPARE(w.inspector()->fixButtons().size(), 1);
    QTest::mouseClick(w.inspector()->fixButtons().first(), Qt::LeftButton);
    QCOMPARE(w.document()->position("dense"), densePos);
    NodeItem* flatten = w.scene()->nodeItem("flatten");
    QVERIFY(flatten);
    QVERIFY(w.scene()->nodeItem("input_1")->sceneBoundingRect().right() <
            flatten->sceneBoundingRect().left());
    QVERIFY(flatten->sceneBoundingRect().right() <
            w.scene()->nodeItem("dense")->sceneBoundingRect().left());
  }

  void pasteGoesToTheMouse() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "Dense", QPointF(200, 150)));
    clickNode(w, "dense");
    QTest::keyClick(w.view(), Qt::Key_C, Qt::ControlModifier);
    QVERIFY(QApplication::clipboard()->text().contains("\"dense\""));
    // The mouse over an empty part of the canvas: Ctrl+V pastes there.
    const QPointF target(600, 400);
    QTest::mouseMove(viewport(w), toView(w, target));
    QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(w.document()->hasNode("dense_1"));
    const QPointF pasted = w.document()->position("dense_1");
    QVERIFY2((pasted - target).manhattanLength() < 4,
             qPrintable(QString("%1,%2").arg(pasted.x()).arg(pasted.y())));
    // The mouse on the original: the copy goes just below it, not on it.
    QTest::mouseMove(viewport(w), toView(w, w.document()->position("dense") + QPointF(20, 10)));
    QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(w.document()->hasNode("dense_2"));
    QVERIFY2(overlapping(w).isEmpty(), qPrintable(overlapping(w)));
  }

  void duplicateGoesBelowTheOriginals() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "Dense", QPointF(200, 150)));
    QVERIFY(dropLayer(w, "Dropout", QPointF(500, 150)));
    dragEdge(w, "dense", "dropout", 0);
    clickNode(w, "dense");
    clickNode(w, "dropout", Qt::ControlModifier);
    QCOMPARE(w.scene()->selectedNodeIds().size(), 2);
    QTest::keyClick(w.view(), Qt::Key_D, Qt::ControlModifier);
    QVERIFY(w.document()->hasNode("dense_1") && w.document()->hasNode("dropout_1"));
    QVERIFY2(overlapping(w).isEmpty(), qPrintable(overlapping(w)));
    // Same arrangement, moved down only.
    const QPointF d = w.document()->position("dense_1") - w.document()->position("dense");
    QCOMPARE(d.x(), 0.0);
    QVERIFY(d.y() > 0);
    QCOMPARE(w.document()->position("dropout_1") - w.document()->position("dropout"), d);
    // Again: below the first copy.
    clickNode(w, "dense");
    QTest::keyClick(w.view(), Qt::Key_D, Qt::ControlModifier);
    QVERIFY(w.document()->hasNode("dense_2"));
    QVERIFY2(overlapping(w).isEmpty(), qPrintable(overlapping(w)));
  }

  void contextMenuPastesWhereItOpened() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "Dense", QPointF(200, 150)));
    clickNode(w, "dense");
    w.copyAction()->trigger();
    const QPointF at(300, 450);
    QMenu* menu = openContextMenu(w, at);
    QVERIFY(menu);
    QAction* paste = actionNamed(menu, "Paste");
    QVERIFY(paste && paste->isEnabled());
    menu->hide();
    paste->trigger();
    QVERIFY(w.document()->hasNode("dense_1"));
    QVERIFY((w.document()->position("dense_1") - at).manhattanLength() < 4);
  }

  void edgeLabelsStayClearOfNodes() {
    GraphEditorWidget w;
    setupWindow(w);
    inputIntoDense(w, QPointF(100, 150), QPointF(900, 150));
    EdgeItem* edge = w.scene()->edgeItem("input_1", "dense", 0);
    QVERIFY(edge && !edge->label().isEmpty());
    const QPointF middle = edge->labelSceneRect().center();
    // A node dropped right on the label's place: the label moves along the edge.
    QVERIFY(dropLayer(w, "Dropout", middle));
    NodeItem* dropout = w.scene()->nodeItem("dropout");
    QVERIFY(dropout->sceneBoundingRect().contains(middle));
    QVERIFY(!edge->labelSceneRect().intersects(dropout->sceneBoundingRect()));
    QVERIFY(!edge->labelRaised());
    QVERIFY(edge->path().intersects(edge->labelSceneRect()));  // still on its edge
    w.undoStack()->undo();
    QVERIFY(!w.document()->hasNode("dropout"));
    // A node dragged by mouse onto where the label is now: the label moves out again.
    QVERIFY(dropLayer(w, "Dropout", QPointF(500, 500)));
    dropout = w.scene()->nodeItem("dropout");
    const QPointF label = edge->labelSceneRect().center();
    const QPoint grab = toView(w, dropout->mapToScene(QPointF(90, 30)));
    const QPoint to = toView(w, label);
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, grab);
    QTest::mouseMove(viewport(w), (grab + to) / 2);
    QTest::mouseMove(viewport(w), to);
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, to);
    QVERIFY(dropout->sceneBoundingRect().contains(label));
    QVERIFY(!edge->labelSceneRect().intersects(dropout->sceneBoundingRect()));
    QVERIFY(!edge->labelRaised());
  }
};

QTEST_MAIN(TestUiEditorPlacement)
#include "tst_ui_editorplacement.moc"
