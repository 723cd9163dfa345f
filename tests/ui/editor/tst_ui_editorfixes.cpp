// Suggested fixes, driven by real events: build Input(28, 28, 1) -> Dense by mouse, see the
// Flatten hint and its "Fix" badge on the node, click it, see "(None, 784)" into the Dense and
// "(None, 10)" out of it; Input(784) -> Conv2D is a red error fixed by a Reshape from the
// inspector's button; a Concatenate of (4, 8) and (6, 8) is fixed by choosing axis -2. Each fix
// is one undo step and undoing it restores the exact JSON. Also: the summary panel follows an
// inspector edit (Param #) and selection in both directions.
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphFixes.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

class TestUiEditorFixes : public QObject {
  Q_OBJECT

 private slots:
  void flattenFixByBadge() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    QVERIFY(dropLayer(w, "InputLayer", QPointF(150, 150)));
    QVERIFY(dropLayer(w, "Dense", QPointF(650, 150)));
    clickNode(w, "input_1");
    typeInInspector(w, "batch_input_shape", "[null, 28, 28, 1]");
    QCOMPARE(doc->outputShapeText("input_1"), QString("(None, 28, 28, 1)"));
    clickNode(w, "dense");
    auto* units = qobject_cast<QSpinBox*>(w.inspector()->editorFor("units"));
    QVERIFY(units);
    units->setFocus();
    units->selectAll();
    QTest::keyClicks(units, "10");
    QTest::keyClick(units, Qt::Key_Return);
    // Unconnected: a red error, no fix yet.
    NodeItem* dense = w.scene()->nodeItem("dense");
    QVERIFY(dense->hasError());
    QVERIFY(!dense->hasFix());

    dragEdge(w, "input_1", "dense", 0);
    QCOMPARE(doc->node("dense")->inputs, std::vector<std::string>{"input_1"});
    QCOMPARE(w.scene()->edgeItem("input_1", "dense", 0)->label(), QString("(None, 28, 28, 1)"));
    // Keras applies Dense to the last axis: legal, so not an error, but the node offers Flatten.
    QCOMPARE(doc->outputShapeText("dense"), QString("(None, 28, 28, 10)"));
    QVERIFY(!dense->hasError());
    QVERIFY(dense->hasFix());
    QVERIFY2(dense->content().hint.contains("(None, 28, 28, 1)"),
             qPrintable(dense->content().hint));
    QCOMPARE(dense->content().fixLabel, QString("Insert Flatten before 'dense'"));
    QVERIFY(dense->toolTip().contains("Flatten"));
    // The inspector offers it too.
    clickNode(w, "dense");
    QCOMPARE(w.inspector()->fixButtons().size(), 1);
    QCOMPARE(w.inspector()->fixButtons().first()->text(), QString("Insert Flatten before 'dense'"));
    QCoreApplication::processEvents();  // widgets added to a shown form appear on the next turn
    QVERIFY(w.grab().save(TESSEL_BINARY_DIR "/tst_ui_editorfixes_before.png"));

    const std::string before = doc->toJson().dump();
    const int steps = w.undoStack()->count();
    // Click the badge on the node.
    const QPoint badge = toView(w, dense->mapToScene(dense->fixBadgeRect().center()));
    QTest::mouseClick(viewport(w), Qt::LeftButton, {}, badge);
    QCOMPARE(w.undoStack()->count(), steps + 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Insert Flatten before 'dense'"));
    QVERIFY(doc->hasNode("flatten"));
    QCOMPARE(doc->node("flatten")->inputs, std::vector<std::string>{"input_1"});
    QCOMPARE(doc->node("dense")->inputs, std::vector<std::string>{"flatten"});
    QCOMPARE(w.scene()->edgeItem("flatten", "dense", 0)->label(), QString("(None, 784)"));
    QCOMPARE(doc->outputShapeText("dense"), QString("(None, 10)"));
    QVERIFY(!dense->hasFix());
    QVERIFY(dense->content().hint.isEmpty());
    QVERIFY(w.inspector()->fixButtons().isEmpty());
    QCOMPARE(w.summaryPanel()->cellText("dense", SummaryPanel::ShapeColumn), QString("(None, 10)"));
    QCOMPARE(w.summaryPanel()->cellText("dense", SummaryPanel::ParamsColumn), QString("7850"));
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(TESSEL_BINARY_DIR "/tst_ui_editorfixes_after.png"));

    // One undo step back to the exact graph before.
    w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), before);
    QVERIFY(w.scene()->nodeItem("dense")->hasFix());
    w.undoStack()->redo();
    QCOMPARE(doc->outputShapeText("dense"), QString("(None, 10)"));
  }

  // Dense after an Embedding works per step (a tagger, a seq2seq output): Keras's usual form,
  // so no Flatten hint; the same Dense on an image does get one.
  void noFlattenHintForPerStepDense() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    QVERIFY(dropLayer(w, "InputLayer", QPointF(150, 150)));
    QVERIFY(dropLayer(w, "Embedding", QPointF(400, 150)));
    QVERIFY(dropLayer(w, "Dense", QPointF(650, 150)));
    clickNode(w, "input_1");
    typeInInspector(w, "batch_input_shape", "[null, 12]");
    dragEdge(w, "input_1", "embedding", 0);
    dragEdge(w, "embedding", "dense", 0);
    QCOMPARE(doc->outputShapeText("embedding"), QString("(None, 12, 64)"));
    NodeItem* dense = w.scene()->nodeItem("dense");
    QVERIFY2(!dense->hasError(), qPrintable(doc->errorText("dense")));
    QVERIFY2(!dense->hasFix(), qPrintable(dense->content().fixLabel));
    clickNode(w, "dense");
    QCOMPARE(w.inspector()->fixButtons().size(), 0);
  }

  void reshapeFixFromInspector() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    QVERIFY(dropLayer(w, "InputLayer", QPointF(150, 150)));  // (None, 784)
    QVERIFY(dropLayer(w, "Conv2D", QPointF(650, 150)));
    dragEdge(w, "input_1", "conv2d", 0);
    NodeItem* conv = w.scene()->nodeItem("conv2d");
    QVERIFY(conv->hasError());  // red: Conv2D needs a 4-D input
    QVERIFY2(doc->errorText("conv2d").contains("4-D"), qPrintable(doc->errorText("conv2d")));
    QVERIFY(conv->hasFix());
    clickNode(w, "conv2d");
    QCOMPARE(w.inspector()->fixButtons().size(), 1);
    QPushButton* fix = w.inspector()->fixButtons().first();
    QCOMPARE(fix->text(), QString("Insert Reshape (None, 28, 28, 1) before 'conv2d'"));
    const std::string before = doc->toJson().dump();
    QTest::mouseClick(fix, Qt::LeftButton);
    QCOMPARE(doc->node("reshape")->config["target_shape"], json::array({28, 28, 1}));
    QCOMPARE(w.scene()->edgeItem("reshape", "conv2d", 0)->label(), QString("(None, 28, 28, 1)"));
    QVERIFY2(!conv->hasError(), qPrintable(doc->errorText("conv2d")));
    QVERIFY(doc->outputShapeText("conv2d").startsWith("(None, 26, 26, "));
    w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), before);
  }

  void concatenateAxisFix() {
    GraphDocument doc;
    QUndoStack stack;
    const QString a = doc.addNode("InputLayer", {});
    const QString b = doc.addNode("InputLayer", {});
    QVERIFY(doc.setConfig(a, "batch_input_shape", json::array({nullptr, 4, 8})).isEmpty());
    QVERIFY(doc.setConfig(b, "batch_input_shape", json::array({nullptr, 6, 8})).isEmpty());
    const QString cat = doc.addNode("Concatenate", {});
    QVERIFY(doc.connect(a, cat).isEmpty());
    QVERIFY(doc.connect(b, cat).isEmpty());
    QVERIFY(!doc.errorText(cat).isEmpty());
    const QList<GraphFix> fixes = GraphFixes::suggest(doc, cat);
    QCOMPARE(fixes.size(), 1);
    QCOMPARE(fixes.first().kind, QString("concat_axis"));
    QCOMPARE(fixes.first().label, QString("Concatenate on axis -2"));
    const std::string before = doc.toJson().dump();
    QVERIFY(GraphFixes::apply(&doc, &stack, fixes.first()).isEmpty());
    QCOMPARE(stack.count(), 1);
    QVERIFY(doc.errorText(cat).isEmpty());
    QCOMPARE(doc.outputShapeText(cat), QString("(None, 10, 8)"));
    QVERIFY(GraphFixes::suggest(doc, cat).isEmpty());
    stack.undo();
    QCOMPARE(doc.toJson().dump(), before);
    // A merge of (None, 784) and (None, 28, 28, 1): Reshape the second input.
    GraphDocument m;
    QUndoStack ms;
    const QString x = m.addNode("InputLayer", {});
    const QString y = m.addNode("InputLayer", {});
    m.setConfig(y, "batch_input_shape", json::array({nullptr, 28, 28, 1}));
    const QString add = m.addNode("Add", {});
    m.connect(x, add);
    m.connect(y, add);
    QVERIFY(!m.errorText(add).isEmpty());
    const QList<GraphFix> mf = GraphFixes::suggest(m, add);
    QCOMPARE(mf.size(), 1);
    QCOMPARE(mf.first().port, 1);
    QVERIFY(GraphFixes::apply(&m, &ms, mf.first()).isEmpty());
    QVERIFY2(m.errorText(add).isEmpty(), qPrintable(m.errorText(add)));
    QCOMPARE(m.outputShapeText(add), QString("(None, 784)"));
  }

  void summaryFollowsInspectorAndSelection() {
    GraphEditorWidget w;
    setupWindow(w);
    GraphDocument* doc = w.document();
    QVERIFY(dropLayer(w, "InputLayer", QPointF(100, 150)));  // (None, 784)
    QVERIFY(dropLayer(w, "Dense", QPointF(400, 150)));
    QVERIFY(dropLayer(w, "Dense", QPointF(700, 150)));
    dragEdge(w, "input_1", "dense", 0);
    dragEdge(w, "dense", "dense_1", 0);
    SummaryPanel* summary = w.summaryPanel();
    QCOMPARE(summary->table()->rowCount(), 3);
    QCOMPARE(summary->cellText("input_1", SummaryPanel::LayerColumn),
             QString("input_1 (InputLayer)"));
    QCOMPARE(summary->cellText("input_1", SummaryPanel::ShapeColumn), QString("[(None, 784)]"));
    QCOMPARE(summary->cellText("dense", SummaryPanel::ParamsColumn),
             QString("25120"));  // 784*32+32
    QCOMPARE(summary->cellText("dense_1", SummaryPanel::ConnectedColumn),
             QString("['dense[0][0]']"));
    QCOMPARE(summary->totalParams(), 25120 + 32 * 32 + 32);

    // Edit units in the inspector: Param # follows.
    clickNode(w, "dense");
    QCOMPARE(summary->table()->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(summary->table()->selectionModel()->selectedRows().first().row(), 1);
    auto* units = qobject_cast<QSpinBox*>(w.inspector()->editorFor("units"));
    QVERIFY(units);
    units->setFocus();
    units->selectAll();
    QTest::keyClicks(units, "100");
    QTest::keyClick(units, Qt::Key_Return);
    QCOMPARE(doc->node("dense")->config["units"].get<int>(), 100);
    QCOMPARE(summary->cellText("dense", SummaryPanel::ParamsColumn), QString("78500"));
    QCOMPARE(summary->cellText("dense", SummaryPanel::ShapeColumn), QString("(None, 100)"));
    QCOMPARE(summary->cellText("dense_1", SummaryPanel::ParamsColumn), QString("3232"));
    QCOMPARE(summary->totalParams(), 78500 + 3232);
    QVERIFY(summary->totalsText().contains("Total params: 81,732"));

    // Clicking a row selects and centres the node.
    w.view()->centerOn(QPointF(-2000, -2000));
    QSignalSpy selected(&w, &GraphEditorWidget::nodeSelected);
    QTableWidget* table = summary->table();
    const int row = summary->rowOf("dense_1");
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualItemRect(table->item(row, 0)).center());
    QCOMPARE(w.scene()->selectedNodeNames(), QStringList{"dense_1"});
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().first().toString(), QString("dense_1"));
    const QPointF centre = w.view()->visibleCentre();
    QVERIFY(w.scene()
                ->nodeItem("dense_1")
                ->sceneBoundingRect()
                .adjusted(-5, -5, 5, 5)
                .contains(centre));
    QCOMPARE(w.inspector()->node(), QString("dense_1"));
    // Undo all: the table empties.
    while (w.undoStack()->canUndo()) w.undoStack()->undo();
    QCOMPARE(summary->table()->rowCount(), 0);
    QVERIFY(summary->totalsText().contains("Total params: 0"));
  }
};

QTEST_MAIN(TestUiEditorFixes)
#include "tst_ui_editorfixes.moc"
