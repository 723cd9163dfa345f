// The inspector's expression editors with real widgets (offscreen): a Lambda's expression and a
// CustomLayer's call are ExpressionFields. Typing a bad expression shows the error with a caret
// under its character (column), turns the field red and commits nothing; fixing it shows the new
// output shape as typed (the edge out of the layer previews it), and Return commits it: the edge
// and the summary table show the new shape, one undo step.
#include <QLabel>
#include <QUndoStack>

#include "../editor/EditorTestSupport.h"
#include "tests/engine/train/TrainTestUtil.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/SummaryPanel.h"
#include "ui/expr/ExpressionField.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;
using namespace tessel::test;

namespace {

// Input (3) -> lambda -> dense (2), and input -> custom (a CustomizedDenseLayer of 4 units).
ModelSpec model() {
  json custom = {{"custom_class", "CustomizedDenseLayer"},
                 {"params", {{"units", 4}, {"activation", "relu"}}},
                 {"weights",
                  {{{"name", "kernel"}, {"shape", {"input_shape[-1]", "units"}}},
                   {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "zeros"}}}},
                 {"call", "activation(x @ kernel + bias)"}};
  return makeSpec({inputNode("in", {3}),
                   node("lambda", "Lambda", {"in"}, {{"expression", "tf.nn.softplus(x)"}}),
                   denseNode("dense", 2, "lambda"), node("custom", "CustomLayer", {"in"}, custom)},
                  {"in"}, {"dense", "custom"});
}

ExpressionField* fieldOf(GraphEditorWidget& w, const std::string& key) {
  return qobject_cast<ExpressionField*>(w.inspector()->editorFor(key));
}

// Replaces the field's text by typing `text` (Return when `commit`).
void type(ExpressionField* f, const QString& text, bool commit) {
  QLineEdit* e = f->lineEdit();
  e->setFocus();
  e->selectAll();
  QTest::keyClick(e, Qt::Key_Delete);
  QTest::keyClicks(e, text);
  if (commit) QTest::keyClick(e, Qt::Key_Return);
}

QString edgeLabel(GraphEditorWidget& w, const QString& from, const QString& to) {
  EdgeItem* e = w.scene()->edgeItem(from, to);
  return e ? e->label() : QString("no edge");
}

}  // namespace

class TestUiEditorExpressions : public QObject {
  Q_OBJECT

 private slots:
  void lambdaErrorPointsAtTheCharacterAndFixUpdatesTheEdge() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(model());
    w.fitAction()->trigger();
    clickNode(w, "lambda");
    QCOMPARE(w.inspector()->node(), QString("lambda"));
    ExpressionField* f = fieldOf(w, "expression");
    QVERIFY(f);
    QCOMPARE(f->text(), QString("tf.nn.softplus(x)"));
    QVERIFY(f->isValid());
    QCOMPARE(f->shapeText(), QString("(None, 3)"));
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 3)"));
    const int undoBefore = w.undoStack()->count();

    // x @ x on (None, 3): the matmul shapes mismatch, at the '@' (column 3).
    type(f, "x @ x", true);
    QVERIFY(!f->isValid());
    QCOMPARE(f->errorColumn(), 3);
    QVERIFY2(f->errorText().contains("matmul: inner dimensions differ"),
             qPrintable(f->errorText()));
    QVERIFY(f->lineEdit()->property("exprError").toBool());
    // The caret sits under the '@': the line after the text has two spaces then '^'.
    QCOMPARE(f->caretLabel()->text(), QString("x @ x\n  ^"));
    QVERIFY(f->statusLabel()->text().contains("column 3"));
    if (const QString dir = qEnvironmentVariable("TESSEL_SHOTS"); !dir.isEmpty()) {
      QTest::qWait(100);  // layout of the new form
      QVERIFY(w.grab().save(dir + "/h16_lambda_error.png"));
    }
    // Nothing was committed: the document, the edge and the undo stack are as before.
    QCOMPARE(w.document()->node("lambda")->config["expression"], json("tf.nn.softplus(x)"));
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 3)"));
    QCOMPARE(w.undoStack()->count(), undoBefore);

    // An unknown function: the caret at its first character.
    type(f, "x + tf.sqaure(x)", false);
    QCOMPARE(f->errorColumn(), 5);
    QVERIFY(f->errorText().contains("unknown function 'tf.sqaure'"));

    // Fixed: the shape shows while typing, Return commits it to the edge and the summary.
    type(f, "tf.concat([x, tf.square(x)], axis=-1)", false);
    QVERIFY(f->isValid());
    QVERIFY(!f->lineEdit()->property("exprError").toBool());
    QCOMPARE(f->shapeText(), QString("(None, 6)"));
    QVERIFY(f->statusLabel()->text().contains("(None, 6)"));
    // The edge previews the shape as typed; nothing is committed yet.
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 6)"));
    QCOMPARE(w.document()->node("lambda")->config["expression"], json("tf.nn.softplus(x)"));
    QCOMPARE(w.undoStack()->count(), undoBefore);
    // A typo on the way: the edge shows the committed shape again; fixed: the preview is back.
    type(f, "tf.concat([x, tf.square(x)], axis=-1", false);
    QVERIFY(!f->isValid());
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 3)"));
    type(f, "tf.concat([x, tf.square(x)], axis=-1)", false);
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 6)"));
    QTest::keyClick(f->lineEdit(), Qt::Key_Return);
    QCOMPARE(w.document()->node("lambda")->config["expression"],
             json("tf.concat([x, tf.square(x)], axis=-1)"));
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 6)"));
    QCOMPARE(w.summaryPanel()->cellText("lambda", SummaryPanel::ShapeColumn), QString("(None, 6)"));
    QCOMPARE(w.undoStack()->count(), undoBefore + 1);
    w.undoStack()->undo();
    QCOMPARE(edgeLabel(w, "lambda", "dense"), QString("(None, 3)"));
    QCOMPARE(fieldOf(w, "expression")->text(), QString("tf.nn.softplus(x)"));
  }

  void customLayerCallIsCheckedAgainstItsWeights() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(model());
    w.fitAction()->trigger();
    clickNode(w, "custom");
    QCOMPARE(w.inspector()->node(), QString("custom"));
    ExpressionField* f = fieldOf(w, "call");
    QVERIFY(f);
    QCOMPARE(f->shapeText(), QString("(None, 4)"));
    const QString typo = "activation(x @ kernal + bias)";
    type(f, typo, true);
    QCOMPARE(f->errorColumn(), int(typo.indexOf("kernal")) + 1);
    QVERIFY(f->errorText().contains("unknown name 'kernal'"));
    // bias (4,) against x (None, 3): the broadcast fails at the '+'.
    const QString noKernel = "activation(x + bias)";
    type(f, noKernel, false);
    QCOMPARE(f->errorColumn(), int(noKernel.indexOf('+')) + 1);
    QVERIFY(f->errorText().contains("do not broadcast"));
    QCOMPARE(w.summaryPanel()->cellText("custom", SummaryPanel::ShapeColumn), QString("(None, 4)"));
    // Fixed to two outputs of the dense product: the summary shows (None, 2).
    type(f, "activation(x @ kernel + bias)[:, :2]", true);
    QVERIFY(f->isValid());
    QCOMPARE(w.summaryPanel()->cellText("custom", SummaryPanel::ShapeColumn), QString("(None, 2)"));
  }
};

QTEST_MAIN(TestUiEditorExpressions)
#include "tst_ui_editorexpressions.moc"
