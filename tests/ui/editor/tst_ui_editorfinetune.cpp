// Transfer learning on the canvas through real events: the node context menu's Freeze /
// Unfreeze, "Freeze everything up to here", "Unfreeze the last N layers...", "Replace head
// here..." (each one undo step), the frozen look of the nodes, the summary's trainable counts,
// and the keras.applications options dialog. With TESSEL_SCREENSHOTS=<dir> it saves
// finetune_canvas.png (a frozen MobileNetV2 base with a new head) and application_dialog.png.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QSpinBox>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

#include "engine/graph/Applications.h"
#include "engine/graph/FineTune.h"
#include "tests/ui/editor/EditorTestSupport.h"
#include "ui/editor/ApplicationDialog.h"
#include "ui/editor/FineTuneActions.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

// input (32, 32, 3) -> conv1 -> bn1 -> relu1 -> conv2 -> pool -> logits
ModelSpec smallCnn() {
  ModelSpec s;
  s.name = "small_cnn";
  auto add = [&](const std::string& name, const std::string& cls, json config,
                 std::vector<std::string> inputs) {
    config["name"] = name;
    s.nodes.push_back({name, cls, config, inputs, {}});
  };
  s.nodes.push_back(makeInputLayerNode("image", {kNone, 32, 32, 3}));
  add("conv1", "Conv2D", {{"filters", 8}, {"kernel_size", {3, 3}}}, {"image"});
  add("bn1", "BatchNormalization", json::object(), {"conv1"});
  add("relu1", "ReLU", {{"max_value", 6.0}}, {"bn1"});
  add("conv2", "Conv2D", {{"filters", 16}, {"kernel_size", {3, 3}}}, {"relu1"});
  add("pool", "GlobalAveragePooling2D", json::object(), {"conv2"});
  add("logits", "Dense", {{"units", 4}, {"activation", "softmax"}}, {"pool"});
  s.inputs = {"image"};
  s.outputs = {"logits"};
  return s;
}

QMenu* openContextMenu(GraphEditorWidget& w, const QString& node) {
  NodeItem* item = w.scene()->nodeItem(node);
  if (!item) return nullptr;
  w.view()->centerOn(item);
  const QPoint p = toView(w, item->mapToScene(QPointF(90, 40)));
  QContextMenuEvent event(QContextMenuEvent::Mouse, p, viewport(w)->mapToGlobal(p));
  QApplication::sendEvent(viewport(w), &event);
  auto* menu = w.findChild<QMenu*>("canvasContextMenu");
  return menu && menu->isVisible() ? menu : nullptr;
}

// Clicks the menu entry named `action` with the mouse.
bool clickMenu(QMenu* menu, const QString& action) {
  for (QAction* a : menu->actions())
    if (a->objectName() == action) {
      if (!a->isEnabled()) return false;
      QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
      return true;
    }
  return false;
}

// Answers the next QInputDialog (integer mode) by typing `value` and pressing Return.
void answerIntDialog(int value, bool* seen) {
  QTimer::singleShot(0, [value, seen] {
    QInputDialog* dialog = nullptr;
    for (QWidget* top : QApplication::topLevelWidgets())
      if (auto* d = qobject_cast<QInputDialog*>(top); d && d->isVisible()) dialog = d;
    QVERIFY(dialog);
    QCOMPARE(dialog->objectName(), QString("fineTuneDialog"));
    auto* spin = dialog->findChild<QSpinBox*>();
    QVERIFY(spin);
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QString::number(value));
    QTest::keyClick(spin, Qt::Key_Return);
    *seen = true;
  });
}

bool frozenLook(GraphEditorWidget& w, const QString& node) {
  return w.scene()->nodeItem(node)->content().frozen;
}

long long trainableInSummary(GraphEditorWidget& w) {
  w.summaryPanel()->refresh();
  return w.summaryPanel()->trainableParams();
}

}  // namespace

class TestEditorFineTune : public QObject {
  Q_OBJECT

 private slots:
  void freezeAndUnfreezeOneLayer() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(smallCnn());
    const long long before = trainableInSummary(w);
    QMenu* menu = openContextMenu(w, "conv1");
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "freezeLayer"));
    QCOMPARE(w.document()->node("conv1")->config.at("trainable"), json(false));
    QVERIFY(frozenLook(w, "conv1"));
    QVERIFY(!frozenLook(w, "bn1"));
    // conv1: 3*3*3*8 + 8 = 224 parameters move to non-trainable.
    QCOMPARE(trainableInSummary(w), before - 224);
    QCOMPARE(w.summaryPanel()->totalParams(), countParameters(smallCnn()).total);
    // The menu now offers Unfreeze.
    menu = openContextMenu(w, "conv1");
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "unfreezeLayer"));
    QVERIFY(!frozenLook(w, "conv1"));
    QCOMPARE(trainableInSummary(w), before);
    // Two steps; undoing both leaves the layer as it came (no "trainable" key).
    w.undoStack()->undo();
    QVERIFY(frozenLook(w, "conv1"));
    w.undoStack()->undo();
    QVERIFY(!w.document()->node("conv1")->config.contains("trainable"));
    QVERIFY(!frozenLook(w, "conv1"));
  }

  void freezeEverythingUpToHere() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(smallCnn());
    const int steps = w.undoStack()->count();
    QMenu* menu = openContextMenu(w, "relu1");
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "freezeUpToHere"));
    for (const char* n : {"conv1", "bn1", "relu1"}) QVERIFY2(frozenLook(w, n), n);
    for (const char* n : {"conv2", "logits"}) QVERIFY2(!frozenLook(w, n), n);
    QCOMPARE(w.undoStack()->count(), steps + 1);  // one step
    ModelSpec expected = smallCnn();
    freezeUpTo(expected, "relu1");
    QCOMPARE(trainableInSummary(w), countParameters(expected).trainable);
    w.undoStack()->undo();
    for (const char* n : {"conv1", "bn1", "relu1"}) QVERIFY2(!frozenLook(w, n), n);
    // The batch behind it checks every value first: one refused value changes nothing
    // (BatchNormalization has no "filters").
    GraphDocument* doc = w.document();
    const QString why =
        doc->setConfigs("filters", {{doc->idOf("conv1"), json(4)}, {doc->idOf("bn1"), json(4)}});
    QVERIFY(!why.isEmpty());
    QCOMPARE(doc->node("conv1")->config.at("filters").get<int>(), 8);
  }

  void unfreezeTheLastNLayers() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(smallCnn());
    QMenu* menu = openContextMenu(w, "pool");
    QVERIFY(menu);
    bool seen = false;
    answerIntDialog(2, &seen);
    QVERIFY(clickMenu(menu, "unfreezeLastN"));
    QVERIFY(seen);
    // layers: image, conv1, bn1, relu1, conv2, pool, logits: the last 2 stay trainable.
    for (const char* n : {"conv1", "bn1", "relu1", "conv2"}) QVERIFY2(frozenLook(w, n), n);
    for (const char* n : {"pool", "logits"}) QVERIFY2(!frozenLook(w, n), n);
    QCOMPARE(trainableInSummary(w), 16 * 4 + 4);
  }

  void replaceHeadIsOneUndoStep() {
    GraphEditorWidget w;
    setupWindow(w);
    w.setModel(smallCnn());
    const ModelSpec original = w.document()->spec();
    FineTuneActions::of(&w)->setClassCountProvider([] { return 7; });
    QMenu* menu = openContextMenu(w, "conv2");
    QVERIFY(menu);
    bool seen = false;
    answerIntDialog(5, &seen);  // the proposal (7) replaced by 5
    QVERIFY(clickMenu(menu, "replaceHeadHere"));
    QVERIFY(seen);
    const ModelSpec& s = w.document()->spec();
    QVERIFY(!s.find("pool") && !s.find("logits"));
    QVERIFY(s.find("global_average_pooling2d") && s.find("dropout") && s.find("dense"));
    QCOMPARE(s.outputs, std::vector<std::string>{"dense"});
    QCOMPARE(s.find("dense")->config.at("units").get<int>(), 5);
    QCOMPARE(s.find("dropout")->config.at("rate").get<double>(), 0.2);
    QCOMPARE(w.document()->outputShapeText("dense"), QString("(None, 5)"));
    QVERIFY(w.scene()->nodeItem("dense"));
    QVERIFY(w.document()->report().ok());
    // One undo step brings the old head back exactly; redo replaces it again.
    w.undoStack()->undo();
    QVERIFY(w.document()->spec() == original);
    QVERIFY(w.scene()->nodeItem("logits"));
    w.undoStack()->redo();
    QCOMPARE(w.document()->spec().outputs, std::vector<std::string>{"dense"});
    // The class count proposed is the data set's (the provider).
    QCOMPARE(FineTuneActions::of(&w)->proposedClassCount(), 7);
    FineTuneActions::of(&w)->setClassCountProvider({});
    QCOMPARE(FineTuneActions::of(&w)->proposedClassCount(), 5);  // the output Dense's units
  }

  // The class count "Replace head here..." proposes in the studio: the data set's first label.
  void classCountOfADataSet() {
    QCOMPARE(FineTuneActions::dataSetClassCount(nullptr), 0);
    QCOMPARE(FineTuneActions::dataSetClassCount({{"kind", "csv"}, {"path", "/nonexistent.csv"}}),
             0);
    if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"))
      QSKIP("dataset-fashion-mnist is not installed");
    QCOMPARE(FineTuneActions::dataSetClassCount({{"kind", "fashion_mnist"}}), 10);
  }

  void applicationDialogOptions() {
    ApplicationDialog d("ResNet50");
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.countNow();
    QVERIFY2(d.totalsText().contains("25,636,712"), qPrintable(d.totalsText()));
    QVERIFY(!d.poolingBox()->isEnabled());
    QTest::mouseClick(d.includeTopBox(), Qt::LeftButton, {},
                      QPoint(8, d.includeTopBox()->height() / 2));
    QVERIFY(!d.includeTopBox()->isChecked());
    QVERIFY(d.poolingBox()->isEnabled());
    d.poolingBox()->setFocus();
    QTest::keyClick(d.poolingBox(), Qt::Key_Down);  // None -> avg
    QCOMPARE(d.options().pooling, std::string("avg"));
    d.countNow();
    QVERIFY2(d.totalsText().contains("23,587,712"), qPrintable(d.totalsText()));
    QCOMPARE(d.spec().outputs, std::vector<std::string>{"avg_pool"});
    d.applicationBox()->setCurrentText("MobileNetV2");
    d.countNow();
    QVERIFY2(d.totalsText().contains("2,257,984"), qPrintable(d.totalsText()));
    if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !dir.isEmpty()) {
      QTest::qWait(50);
      QVERIFY(d.grab().save(dir + "/application_dialog.png"));
    }
  }

  // MobileNetV2 base frozen up to out_relu, head replaced: the look on the canvas.
  void frozenMobileNetCanvas() {
    GraphEditorWidget w;
    setupWindow(w, {1500, 900});
    ApplicationOptions o;
    o.inputShape = Shape{96, 96, 3};
    o.alpha = 0.35;
    o.includeTop = false;
    const ModelSpec base = mobileNetV2(o);
    w.setModel(base);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(FineTuneActions::of(&w)->freezeUpToHere(w.document()->idOf("out_relu")).isEmpty());
    qInfo("Freeze everything up to out_relu (153 layers, one undo step): %lld ms", clock.elapsed());
    QVERIFY(FineTuneActions::of(&w)->replaceHead(w.document()->idOf("out_relu"), 10).isEmpty());
    QVERIFY(frozenLook(w, "block_16_project_BN"));
    QVERIFY(!frozenLook(w, "dense"));
    ModelSpec expected = replaceHead(base, "out_relu", HeadOptions{10, 0.2, "softmax"});
    freezeUpTo(expected, "out_relu");
    QCOMPARE(trainableInSummary(w), countParameters(expected).trainable);
    QCOMPARE(trainableInSummary(w), 1280 * 10 + 10);
    if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !dir.isEmpty()) {
      w.view()->setZoom(1);
      w.view()->centerOn(w.scene()->nodeItem("out_relu"));
      w.selectNode("Conv_1_bn", false);
      QTest::qWait(50);
      QVERIFY(w.grab().save(dir + "/finetune_canvas.png"));
    }
  }
};

QTEST_MAIN(TestEditorFineTune)
#include "tst_ui_editorfinetune.moc"
