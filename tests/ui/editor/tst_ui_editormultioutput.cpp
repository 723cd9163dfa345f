// Nodes with several outputs in the editor, driven by real mouse events: an LSTM with
// return_state draws three output ports labelled output / h / c with their shapes; dragging from
// its c port to the decoder's free input port connects output 2 (Keras tensor_index 2), the edge
// leaves that port and is labelled with its shape; undo / redo keep the index. Edges that carry a
// mask (Embedding mask_zero) are drawn dashed with a "mask" tag and say so in their tooltip.
// Screenshots of both under $TESSEL_SCREENSHOTS when it is set.
#include <QDir>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "tests/support/Screenshot.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

NodeSpec node(const std::string& name, const std::string& cls, json cfg,
              std::vector<std::string> inputs, std::vector<int> tensors = {}) {
  NodeSpec n;
  n.name = name;
  n.className = cls;
  cfg["name"] = name;
  n.config = cfg;
  n.inputs = std::move(inputs);
  for (size_t p = 0; p < tensors.size(); ++p) n.setInputTensor(p, tensors[p]);
  return n;
}

// Encoder LSTM(return_state) over embedded ids (mask_zero) and a decoder LSTM whose first
// initial state already comes from the encoder's h; its c port is left for the test to connect.
ModelSpec encoderDecoder() {
  ModelSpec spec;
  spec.name = "seq2seq";
  spec.nodes = {makeInputLayerNode("enc_ids", {kNone, 7}),
                makeInputLayerNode("dec_in", {kNone, 5, 4}),
                node("embedding", "Embedding",
                     {{"input_dim", 20}, {"output_dim", 6}, {"mask_zero", true}}, {"enc_ids"}),
                node("encoder", "LSTM", {{"units", 8}, {"return_state", true}}, {"embedding"}),
                node("decoder", "LSTM", {{"units", 8}, {"return_sequences", true}},
                     {"dec_in", "encoder"}, {0, 1}),
                node("probs", "Dense", {{"units", 4}, {"activation", "softmax"}}, {"decoder"})};
  spec.inputs = {"enc_ids", "dec_in"};
  spec.outputs = {"probs"};
  return spec;
}

void saveShot(QWidget* w, const QString& file) {
  tessel::testutil::saveScreenshot(w, file);
}

}  // namespace

class TestUiEditorMultiOutput : public QObject {
  Q_OBJECT

 private slots:
  void dragFromTheCellStatePort() {
    GraphEditorWidget w;
    setupWindow(w, {1500, 900}, {520, 230});
    GraphDocument* doc = w.document();
    doc->setModel(encoderDecoder(), {{"enc_ids", {-20, 40}},
                                     {"embedding", {180, 40}},
                                     {"encoder", {520, 90}},
                                     {"dec_in", {470, 300}},
                                     {"decoder", {760, 200}},
                                     {"probs", {1000, 200}}});
    NodeItem* enc = w.scene()->nodeItem("encoder");
    NodeItem* dec = w.scene()->nodeItem("decoder");
    QVERIFY(enc && dec);
    // Three output ports, labelled, with their shapes.
    QCOMPARE(enc->outputPorts(), 3);
    QCOMPARE(enc->content().outputNames, (QStringList{"output", "h", "c"}));
    QCOMPARE(enc->content().outputShapes, (QStringList{"(None, 8)", "(None, 8)", "(None, 8)"}));
    QCOMPARE(dec->outputPorts(), 1);
    QVERIFY(enc->outputPortPos(0).y() < enc->outputPortPos(1).y());
    QVERIFY(enc->outputPortPos(1).y() < enc->outputPortPos(2).y());
    // The existing edge leaves the h port.
    EdgeItem* h = w.scene()->edgeItem("encoder", "decoder", 1);
    QVERIFY(h);
    QCOMPARE(h->output(), 1);
    QVERIFY((h->path().pointAtPercent(0) - enc->outputPortScenePos(1)).manhattanLength() < 1);
    QVERIFY(h->toolTip().contains("encoder[h]"));
    // The decoder lacks its second state: an error until c is connected.
    QVERIFY(!doc->report().ok());

    // Real drag from the c port to the decoder's free third input port.
    const QPoint from = toView(w, enc->outputPortScenePos(2));
    const QPoint to = toView(w, dec->inputPortScenePos(2));
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, from);
    QTest::mouseMove(viewport(w), (from + to) / 2);
    QTest::mouseMove(viewport(w), to);
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, to);
    const NodeSpec* d = doc->node("decoder");
    QCOMPARE(d->inputs, (std::vector<std::string>{"dec_in", "encoder", "encoder"}));
    QCOMPARE(d->inputTensors, (std::vector<int>{0, 1, 2}));
    QVERIFY2(doc->report().ok(), qPrintable(doc->modelErrors().join("; ")));
    EdgeItem* c = w.scene()->edgeItem("encoder", "decoder", 2);
    QVERIFY(c);
    QCOMPARE(c->output(), 2);
    QCOMPARE(c->label(), QString("(None, 8)"));
    QVERIFY((c->path().pointAtPercent(0) - enc->outputPortScenePos(2)).manhattanLength() < 1);
    // The encoder's output 0 is read by nobody, yet the encoder is no model output.
    QCOMPARE(doc->spec().outputs, (std::vector<std::string>{"probs"}));
    // Saved and loaded with the tensor index.
    const json saved = doc->toJson();
    QVERIFY(saved.dump().find("[\"encoder\",0,2,{}]") != std::string::npos);

    // Undo removes exactly that edge; redo puts it back on the c port.
    w.undoStack()->undo();
    QCOMPARE(doc->node("decoder")->inputs.size(), size_t(2));
    QCOMPARE(doc->node("decoder")->inputTensors, (std::vector<int>{0, 1}));
    w.undoStack()->redo();
    QCOMPARE(doc->node("decoder")->inputTensors, (std::vector<int>{0, 1, 2}));

    // Delete the selected h edge, undo: it comes back reading h, not output 0.
    EdgeItem* hEdge = w.scene()->edgeItem("encoder", "decoder", 1);
    w.scene()->clearSelection();
    hEdge->setSelected(true);
    w.scene()->deleteSelection();
    QCOMPARE(doc->node("decoder")->inputTensors, (std::vector<int>{0, 2}));
    w.undoStack()->undo();
    QCOMPARE(doc->node("decoder")->inputTensors, (std::vector<int>{0, 1, 2}));
    QVERIFY(doc->report().ok());

    // The edge out of the mask_zero Embedding carries a mask; the others do not.
    EdgeItem* masked = w.scene()->edgeItem("embedding", "encoder", 0);
    QVERIFY(masked->masked());
    QVERIFY(masked->toolTip().contains("mask"));
    QVERIFY(!w.scene()->edgeItem("encoder", "decoder", 2)->masked());
    QVERIFY(!w.scene()->edgeItem("enc_ids", "embedding", 0)->masked());
    QApplication::processEvents();
    saveShot(&w, "h15multi_seq2seq_ports.png");
  }

  void returnStateAddsPorts() {
    // Switching return_state on in the model adds the h and c ports; off again removes them
    // (an edge reading c then reports the missing output on the consumer).
    GraphEditorWidget w;
    setupWindow(w, {1200, 700}, {400, 150});
    GraphDocument* doc = w.document();
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("x", {kNone, 5, 3}), node("gru", "GRU", {{"units", 4}}, {"x"}),
                  node("dense", "Dense", {{"units", 2}}, {"gru"})};
    spec.inputs = {"x"};
    spec.outputs = {"dense"};
    doc->setModel(spec, {{"x", {0, 60}}, {"gru", {260, 60}}, {"dense", {560, 60}}});
    QCOMPARE(w.scene()->nodeItem("gru")->outputPorts(), 1);
    QVERIFY(doc->setConfig("gru", "return_state", true).isEmpty());
    QCOMPARE(w.scene()->nodeItem("gru")->outputPorts(), 2);
    QCOMPARE(w.scene()->nodeItem("gru")->content().outputNames, (QStringList{"output", "h"}));
    // Drag from h to a new Dense dropped on the canvas.
    QVERIFY(dropLayer(w, "Dense", QPointF(660, 260)));
    dragEdgeFrom(w, "gru", 1, "dense_1");
    QCOMPARE(doc->node("dense_1")->inputTensor(0), 1);
    QCOMPARE(doc->nodeShapes("dense_1")->inputs.at(0), (Shape{kNone, 4}));  // h of the GRU
    QVERIFY(doc->setConfig("gru", "return_state", false).isEmpty());
    QVERIFY(doc->errorText("dense_1").contains("output 1 of 'gru'"));
  }

 private:
  static void dragEdgeFrom(GraphEditorWidget& w, const QString& from, int output,
                           const QString& to) {
    NodeItem* a = w.scene()->nodeItem(from);
    NodeItem* b = w.scene()->nodeItem(to);
    QVERIFY(a && b);
    const QPoint p1 = toView(w, a->outputPortScenePos(output));
    const QPoint p2 = toView(w, b->inputPortScenePos(0));
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, p1);
    QTest::mouseMove(viewport(w), (p1 + p2) / 2);
    QTest::mouseMove(viewport(w), p2);
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, p2);
  }
};

QTEST_MAIN(TestUiEditorMultiOutput)
#include "tst_ui_editormultioutput.moc"
