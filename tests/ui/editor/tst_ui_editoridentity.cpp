// Node identity through the real editor widgets: renaming a layer in the inspector (typed, then
// Return) keeps its canvas item, edges, selection, summary row and position; Ctrl+Z on the view
// undoes the rename and then an earlier edit of the same node, the redo shortcut redoes both; a
// name already used is refused in the inspector with the reason and no undo step.
#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QUndoStack>
#include <QtTest>

#include "EditorTestSupport.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

// input_1 -> dense -> dense_1, laid out in columns.
ModelSpec chain() {
  GraphDocument doc;
  doc.addNode("InputLayer", {});
  doc.addNode("Dense", {});
  doc.addNode("Dense", {});
  doc.connect("input_1", "dense");
  doc.connect("dense", "dense_1");
  return doc.spec();
}

void renameInInspector(GraphEditorWidget& w, const QString& name) {
  QLineEdit* edit = w.inspector()->nameEditor();
  QVERIFY(edit);
  edit->setFocus();
  edit->selectAll();
  QTest::keyClicks(edit, name);
  QTest::keyClick(edit, Qt::Key_Return);
}

}  // namespace

class TestUiEditorIdentity : public QObject {
  Q_OBJECT

 private slots:
  void renameInInspectorThenUndoRedo() {
    GraphEditorWidget w;
    w.setModel(chain());
    setupWindow(w, {1500, 900}, {300, 30});
    GraphDocument* doc = w.document();
    const NodeId dense = doc->idOf("dense");
    const NodeId in = doc->idOf("input_1"), out = doc->idOf("dense_1");
    NodeItem* item = w.scene()->nodeItem(dense);
    EdgeItem* into = w.scene()->edgeItem(in, dense, 0);
    EdgeItem* outOf = w.scene()->edgeItem(dense, out, 0);
    QVERIFY(item && into && outOf);
    const QPointF pos = doc->position(dense);

    // An edit of the node, then a rename, both in the inspector.
    clickNode(w, "dense");
    QCOMPARE(w.inspector()->nodeId(), dense);
    auto* units = qobject_cast<QSpinBox*>(w.inspector()->editorFor("units"));
    QVERIFY(units);
    units->setFocus();
    units->selectAll();
    QTest::keyClicks(units, "100");
    QTest::keyClick(units, Qt::Key_Return);
    QCOMPARE(doc->node(dense)->config["units"].get<int>(), 100);
    renameInInspector(w, "hidden");
    QCOMPARE(w.undoStack()->count(), 2);
    QCOMPARE(w.undoStack()->undoText(), QString("Rename dense to hidden"));

    // Same node, same item, same edges, still selected and inspected, same place.
    QCOMPARE(doc->idOf("hidden"), dense);
    QCOMPARE(w.scene()->nodeItem("hidden"), item);
    QCOMPARE(item->name(), QString("hidden"));
    QVERIFY(item->toolTip().contains("hidden"));
    QVERIFY(item->isSelected());
    QCOMPARE(w.scene()->selectedNodeIds(), QList<NodeId>{dense});
    QCOMPARE(w.scene()->edgeItem(in, dense, 0), into);
    QCOMPARE(w.scene()->edgeItem(dense, out, 0), outOf);
    QCOMPARE(outOf->label(), QString("(None, 100)"));
    QCOMPARE(outOf->toolTip(), QString("hidden → dense_1 (None, 100)"));
    QCOMPARE(doc->position(dense), pos);
    QCOMPARE(item->pos(), pos);
    QCOMPARE(w.inspector()->nodeId(), dense);
    QCOMPARE(w.inspector()->nameEditor()->text(), QString("hidden"));
    SummaryPanel* summary = w.summaryPanel();
    QCOMPARE(summary->cellText("hidden", SummaryPanel::LayerColumn), QString("hidden (Dense)"));
    QCOMPARE(summary->cellText("dense_1", SummaryPanel::ConnectedColumn),
             QString("['hidden[0][0]']"));
    const auto rows = summary->table()->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(summary->nodeAt(rows.first().row()), dense);

    // Ctrl+Z on the canvas: the rename goes, then the units edit made before it.
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(doc->nameOf(dense), QString("dense"));
    QCOMPARE(item->name(), QString("dense"));
    QCOMPARE(w.inspector()->nameEditor()->text(), QString("dense"));
    QCOMPARE(doc->node(dense)->config["units"].get<int>(), 100);
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(doc->node(dense)->config["units"].get<int>(), 32);
    QCOMPARE(units->value(), 32);
    QCOMPARE(w.scene()->nodeItem(dense), item);
    QVERIFY(item->isSelected());
    QCOMPARE(w.undoStack()->index(), 0);
    // And back, with the redo action's own shortcut (Ctrl+Y or Ctrl+Shift+Z by platform).
    QTest::keySequence(w.view(), w.redoAction()->shortcut());
    QTest::keySequence(w.view(), w.redoAction()->shortcut());
    QCOMPARE(w.undoStack()->index(), 2);
    QCOMPARE(doc->nameOf(dense), QString("hidden"));
    QCOMPARE(doc->node(dense)->config["units"].get<int>(), 100);
    QCOMPARE(w.inspector()->nameEditor()->text(), QString("hidden"));
    QCOMPARE(w.scene()->edgeItem(dense, out, 0), outOf);
  }

  void refusedRenameIsShownInTheInspector() {
    GraphEditorWidget w;
    w.setModel(chain());
    setupWindow(w, {1500, 900}, {300, 30});
    GraphDocument* doc = w.document();
    const NodeId dense = doc->idOf("dense");
    clickNode(w, "dense");
    renameInInspector(w, "dense_1");
    QCOMPARE(w.undoStack()->count(), 0);
    QCOMPARE(doc->nameOf(dense), QString("dense"));
    QVERIFY2(w.inspector()->message().contains("already used"),
             qPrintable(w.inspector()->message()));
    QCOMPARE(w.inspector()->nameEditor()->text(), QString("dense"));
    // The next accepted edit clears the message.
    renameInInspector(w, "encoder");
    QCOMPARE(w.undoStack()->count(), 1);
    QCOMPARE(w.inspector()->message(), QString());
    QCOMPARE(doc->idOf("encoder"), dense);
  }

  // Moving a renamed node by mouse and undoing the move: positions are held by id.
  void moveAfterRename() {
    GraphEditorWidget w;
    w.setModel(chain());
    setupWindow(w, {1500, 900}, {300, 30});
    GraphDocument* doc = w.document();
    const NodeId dense = doc->idOf("dense");
    clickNode(w, "dense");
    renameInInspector(w, "hidden");
    const QPointF old = doc->position(dense);
    const QPoint grab = toView(w, w.scene()->nodeItem(dense)->mapToScene(QPointF(90, 40)));
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, grab);
    QTest::mouseMove(viewport(w), grab + QPoint(20, 10));
    QTest::mouseMove(viewport(w), grab + QPoint(40, 30));
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, grab + QPoint(40, 30));
    QCOMPARE(doc->position("hidden"), old + QPointF(40, 30));
    QCOMPARE(w.undoStack()->undoText(), QString("Move"));
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(doc->position(dense), old);
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(doc->nameOf(dense), QString("dense"));
    QCOMPARE(doc->position("dense"), old);
    QCOMPARE(w.scene()->nodeItem("dense")->pos(), old);
  }
};

QTEST_MAIN(TestUiEditorIdentity)
#include "tst_ui_editoridentity.moc"
