// The graph editor driven by real events on the offscreen platform: drop layers from the palette,
// connect ports with the mouse, see a cycle refused, edit in the inspector, delete, move, undo
// back to an empty canvas. Saves <build>/tst_ui_grapheditor_wide_deep.png (wide & deep
// model) for a human to look at.
#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMimeData>
#include <QSpinBox>
#include <QSplitter>
#include <QUndoStack>
#include <QtTest>

#include "EditorTestSupport.h"
#include "engine/io/TfjsModel.h"
#include "ui/editor/CatalogObjectEditor.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/LayerPalette.h"
#include "ui/editor/NodeInspector.h"
#include "ui/editor/NodeItem.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

class TestUiGraphEditor : public QObject {
  Q_OBJECT

 private slots:
  void buildConnectEditUndo() {
    GraphEditorWidget w;
    setupWindow(w, {1500, 820}, {400, 300});
    GraphDocument* doc = w.document();
    const std::string empty = doc->toJson().dump();
    const QPoint origin = toView(w, QPointF(0, 0));
    auto at = [&](double x, double y) { return origin + QPoint(int(x), int(y)); };

    // Palette drops.
    QVERIFY(dropLayerAtView(w, "InputLayer", at(120, 200)));
    QVERIFY(dropLayerAtView(w, "Dense", at(420, 200)));
    QVERIFY(dropLayerAtView(w, "Add", at(420, 420)));
    QVERIFY(dropLayerAtView(w, "Dense", at(720, 420)));
    QCOMPARE(doc->nodeNames(), (QStringList{"input_1", "dense", "add", "dense_1"}));
    QCOMPARE(w.undoStack()->count(), 4);
    // The node is centred where it was dropped.
    QVERIFY(w.scene()->nodeItem("dense")->sceneBoundingRect().contains(QPointF(420, 200)));
    QVERIFY(w.scene()->nodeItem("dense")->hasError());  // not connected yet
    QVERIFY(w.scene()->nodeItem("dense")->toolTip().contains("dense"));
    QCOMPARE(w.scene()->nodeItem("dense")->subtitle(), QString("Dense 32"));
    QCOMPARE(w.scene()->nodeItem("input_1")->subtitle(), QString("InputLayer (784)"));

    // Input -> Dense by mouse; the edge is labelled with the tensor shape.
    dragEdge(w, "input_1", "dense", 0);
    QCOMPARE(doc->node("dense")->inputs, std::vector<std::string>{"input_1"});
    EdgeItem* edge = w.scene()->edgeItem("input_1", "dense", 0);
    QVERIFY(edge);
    QCOMPARE(edge->label(), QString("(None, 784)"));
    QVERIFY(!w.scene()->nodeItem("dense")->hasError());

    // dense -> add (port 0), add -> dense_1; the merge layer shows a free second port.
    dragEdge(w, "dense", "add", 0);
    QCOMPARE(w.scene()->nodeItem("add")->content().inputPorts, 2);
    dragEdge(w, "add", "dense_1", 0);
    QCOMPARE(doc->edgeCount(), 3);
    // Add with one input is an error shown on the node; its output has no shape to show.
    QCOMPARE(w.scene()->edgeItem("add", "dense_1", 0)->label(), QString());
    QVERIFY(w.scene()->nodeItem("add")->hasError());
    QVERIFY(!doc->errorText("add").isEmpty());

    // dense_1 -> add's free port would close a cycle: refused, nothing changes.
    const int steps = w.undoStack()->count();
    const std::string before = doc->toJson().dump();
    dragEdge(w, "dense_1", "add", 1);
    QCOMPARE(w.undoStack()->count(), steps);
    QCOMPARE(doc->toJson().dump(), before);
    QVERIFY2(w.statusMessage().contains("cycle"), qPrintable(w.statusMessage()));
    // A second edge into a single-input port is refused too.
    dragEdge(w, "input_1", "dense", 0);
    QCOMPARE(w.undoStack()->count(), steps);
    QVERIFY(w.statusMessage().contains("already connected"));

    // Inspector: select dense, type 100 into units.
    clickNode(w, "dense");
    QCOMPARE(w.scene()->selectedNodeNames(), QStringList{"dense"});
    QCOMPARE(w.inspector()->node(), QString("dense"));
    auto* units = qobject_cast<QSpinBox*>(w.inspector()->editorFor("units"));
    QVERIFY(units);
    QCOMPARE(units->value(), 32);
    QVERIFY(!units->toolTip().isEmpty());
    units->setFocus();
    units->selectAll();
    QTest::keyClicks(units, "100");
    QTest::keyClick(units, Qt::Key_Return);
    QCOMPARE(doc->node("dense")->config["units"].get<int>(), 100);
    QCOMPARE(w.scene()->edgeItem("dense", "add", 0)->label(), QString("(None, 100)"));
    QCOMPARE(w.scene()->nodeItem("dense")->subtitle(), QString("Dense 100"));
    // A bad value is refused with the registry's message; the field shows the old value again.
    auto* init = qobject_cast<CatalogObjectEditor*>(w.inspector()->editorFor("kernel_initializer"));
    QVERIFY(init);
    QComboBox* classes = init->combo();
    classes->showPopup();
    classes->view()->setCurrentIndex(classes->model()->index(classes->findText("RandomNormal"), 0));
    QTest::keyClick(classes->view(), Qt::Key_Return);
    QCOMPARE(doc->node("dense")->config["kernel_initializer"]["class_name"], json("RandomNormal"));
    const int beforeBad = w.undoStack()->count();
    auto* stddev = qobject_cast<QDoubleSpinBox*>(init->fieldFor("stddev"));
    QVERIFY(stddev);
    stddev->setFocus();
    stddev->selectAll();
    QTest::keyClicks(stddev, "-1");
    QTest::keyClick(stddev, Qt::Key_Return);
    QCOMPARE(w.undoStack()->count(), beforeBad);
    QVERIFY2(w.inspector()->message().contains("kernel_initializer"),
             qPrintable(w.inspector()->message()));
    QCOMPARE(stddev->value(), 0.05);
    // Activation through the combo box.
    auto* use = qobject_cast<QCheckBox*>(w.inspector()->editorFor("use_bias"));
    QVERIFY(use && use->isChecked());
    use->setFocus();
    QTest::keyClick(use, Qt::Key_Space);
    QCOMPARE(doc->node("dense")->config["use_bias"].get<bool>(), false);

    // Move by mouse: one MoveNodes step, the document follows.
    const QPointF old = doc->position("dense");
    const QPoint grab = toView(w, w.scene()->nodeItem("dense")->mapToScene(QPointF(90, 40)));
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, grab);
    QTest::mouseMove(viewport(w), grab + QPoint(20, 10));
    QTest::mouseMove(viewport(w), grab + QPoint(40, 30));
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, grab + QPoint(40, 30));
    QCOMPARE(doc->position("dense"), old + QPointF(40, 30));
    QCOMPARE(w.undoStack()->undoText(), QString("Move"));
    // The edge follows the node.
    QCOMPARE(w.scene()->edgeItem("input_1", "dense", 0)->path().currentPosition(),
             w.scene()->nodeItem("dense")->inputPortScenePos(0));

    // Double-click in the palette adds at the centre of the view.
    QTreeWidgetItem* dropout = w.palette()->itemFor("Dropout");
    QTreeWidget* tree = w.palette()->tree();
    tree->scrollToItem(dropout);
    QSignalSpy activated(w.palette(), &LayerPalette::layerActivated);
    // A real double click: press, release, then the double-click press and release.
    const QPoint cell = tree->visualItemRect(dropout).center();
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, cell);
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, cell);
    QCOMPARE(activated.count(), 1);
    QVERIFY2(doc->hasNode("dropout"), qPrintable(w.statusMessage()));
    QVERIFY(
        w.scene()->nodeItem("dropout")->sceneBoundingRect().contains(w.view()->visibleCentre()));
    // Palette search filters.
    w.palette()->setFilter("conv");
    QVERIFY(w.palette()->visibleLayers().contains("Conv2D"));
    QVERIFY(!w.palette()->visibleLayers().contains("Dense"));
    w.palette()->setFilter("");

    // Delete key removes the selected node and its edges in one undo step.
    clickNode(w, "add");
    w.view()->setFocus();
    QTest::keyClick(viewport(w), Qt::Key_Delete);
    QVERIFY(!doc->hasNode("add"));
    QCOMPARE(doc->edgeCount(), 1);
    QVERIFY(!w.scene()->nodeItem("add"));
    QCOMPARE(w.scene()->edgeItems().size(), 1);
    w.undoStack()->undo();
    QVERIFY(doc->hasNode("add"));
    QCOMPARE(doc->edgeCount(), 3);
    QCOMPARE(w.scene()->edgeItems().size(), 3);

    // An edge can be selected on its curve and deleted (Disconnect), then restored by undo.
    EdgeItem* inEdge = w.scene()->edgeItem("input_1", "dense", 0);
    w.scene()->clearSelection();
    QTest::mouseClick(viewport(w), Qt::LeftButton, {},
                      toView(w, inEdge->path().pointAtPercent(0.5)));
    QVERIFY(inEdge->isSelected());
    QTest::keyClick(viewport(w), Qt::Key_Delete);
    QVERIFY(doc->node("dense")->inputs.empty());
    w.undoStack()->undo();
    QCOMPARE(doc->node("dense")->inputs, std::vector<std::string>{"input_1"});

    // Middle-button drag pans the view.
    const QPointF centreBefore = w.view()->visibleCentre();
    QTest::mousePress(viewport(w), Qt::MiddleButton, {}, QPoint(300, 300));
    QTest::mouseMove(viewport(w), QPoint(350, 320));
    QTest::mouseRelease(viewport(w), Qt::MiddleButton, {}, QPoint(400, 340));
    QCOMPARE(w.view()->visibleCentre(), centreBefore - QPointF(50, 20));

    // A picture of the edited graph: the invalid Add has a red outline.
    QVERIFY(w.grab().save(TESSEL_BINARY_DIR "/tst_ui_grapheditor_edit.png"));

    // Zoom: wheel and Ctrl+0.
    const double z = w.view()->zoom();
    QWheelEvent wheel(QPointF(200, 200), w.view()->viewport()->mapToGlobal(QPointF(200, 200)),
                      QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                      false);
    QApplication::sendEvent(viewport(w), &wheel);
    QVERIFY(w.view()->zoom() > z);
    QTest::keyClick(w.view(), Qt::Key_0, Qt::ControlModifier);
    const QRectF visible = w.view()->mapToScene(w.view()->viewport()->rect()).boundingRect();
    for (const QString& n : doc->nodeNames())
      QVERIFY(visible.contains(w.scene()->nodeItem(n)->sceneBoundingRect()));

    // Undo everything: the empty canvas again.
    while (w.undoStack()->canUndo()) w.undoStack()->undo();
    QCOMPARE(doc->toJson().dump(), empty);
    QVERIFY(w.scene()->items().isEmpty());
    QCOMPARE(w.inspector()->node(), QString());
  }

  // Every bundled example opens without errors, without overlapping nodes, with a shape on
  // every edge; a screenshot of each is saved (wide_deep: the one to look at first).
  void examplesScreenshot_data() {
    QTest::addColumn<QString>("example");
    for (const char* name :
         {"wide_deep", "wide_deep_multi_input", "wide_deep_multi_output", "fashion_mnist_cnn",
          "fashion_mnist_mlp", "fortunes_text", "dates_seq2seq"})
      QTest::newRow(name) << QString(name);
  }

  void examplesScreenshot() {
    QFETCH(QString, example);
    const QString file = TESSEL_SOURCE_DIR "/resources/examples/" + example + "/model.json";
    if (!QFileInfo::exists(file)) QSKIP("example not in the tree");
    ModelFile model = readModelFile(file.toStdString());
    GraphEditorWidget w;
    w.resize(1500, 820);
    w.splitter()->setSizes({200, 1000, 300});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setModel(model.spec);
    QCOMPARE(w.undoStack()->count(), 0);
    QList<NodeItem*> nodes;
    for (const QString& n : w.document()->nodeNames()) nodes << w.scene()->nodeItem(n);
    for (int i = 0; i < nodes.size(); ++i) {
      QVERIFY2(!nodes[i]->hasError(), qPrintable(nodes[i]->content().error));
      for (int j = i + 1; j < nodes.size(); ++j)
        QVERIFY(!nodes[i]->sceneBoundingRect().intersects(nodes[j]->sceneBoundingRect()));
    }
    for (EdgeItem* e : w.scene()->edgeItems()) QVERIFY(e->label().startsWith("(None"));
    if (w.document()->hasNode("dense_1")) clickNode(w, "dense_1");
    QCoreApplication::processEvents();
    const QString path = QString(TESSEL_BINARY_DIR "/tst_ui_grapheditor_%1.png").arg(example);
    QVERIFY(w.grab().save(path));
  }
};

QTEST_MAIN(TestUiGraphEditor)
#include "tst_ui_grapheditor.moc"
