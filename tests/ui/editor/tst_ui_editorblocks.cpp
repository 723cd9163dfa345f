// Composite blocks in the graph editor, driven by real events: rubber-band selection with the
// mouse, Ctrl+G groups (one undo step), the collapsed block is one node with the block's ports
// and output shape and the edges end on its ports, double-click expands it into a framed region
// and collapses it again, dragging the collapsed block moves its layers, Ctrl+Shift+G ungroups;
// "Save Block to Palette" from the context menu lists it under "Blocks", a drop from the palette
// inserts it again (one undo step), and saved blocks persist in the project file. ResNet50's
// residual blocks grouped by name prefix. TESSEL_SCREENSHOTS=<dir> saves the canvas.
#include <QMenu>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "EditorTestSupport.h"
#include "engine/graph/Applications.h"
#include "engine/graph/Blocks.h"
#include "engine/store/Project.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/BlockOverlay.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GroupActions.h"
#include "ui/editor/GroupItem.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

NodeSpec layer(const std::string& name, const std::string& cls, std::vector<std::string> inputs,
               json config = json::object()) {
  config["name"] = name;
  return {name, cls, config, std::move(inputs), {}};
}

// x -> d0 -> [a -> bn -> b, add(d0, b) -> act] -> head, laid out top to bottom.
void loadResidual(GraphEditorWidget& w) {
  ModelSpec s;
  s.nodes = {makeInputLayerNode("x", {kNone, 6}),
             layer("d0", "Dense", {"x"}, {{"units", 5}}),
             layer("a", "Dense", {"d0"}, {{"units", 5}}),
             layer("bn", "BatchNormalization", {"a"}),
             layer("b", "Dense", {"bn"}, {{"units", 5}}),
             layer("add", "Add", {"d0", "b"}),
             layer("act", "Activation", {"add"}, {{"activation", "relu"}}),
             layer("head", "Dense", {"act"}, {{"units", 2}})};
  s.inputs = {"x"};
  s.outputs = {"head"};
  std::map<std::string, QPointF> pos;
  double y = 0;
  for (const auto& n : s.nodes) {
    pos[n.name] = QPointF(n.name == "add" || n.name == "act" ? 340 : 100, y);
    y += 110;
  }
  pos["add"] = QPointF(340, 440);
  pos["act"] = QPointF(340, 560);
  pos["head"] = QPointF(340, 700);
  w.undoStack()->clear();
  w.document()->setModel(s, pos);
}

void rubberBand(GraphEditorWidget& w, QPointF from, QPointF to) {
  const QPoint p1 = toView(w, from), p2 = toView(w, to);
  QTest::mousePress(viewport(w), Qt::LeftButton, {}, p1);
  QTest::mouseMove(viewport(w), (p1 + p2) / 2);
  QTest::mouseMove(viewport(w), p2);
  QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, p2);
}

// On the header right of the title (a double-click on the title renames the block).
QPoint headerOf(GraphEditorWidget& w, GroupItem* g) {
  return toView(w, g->mapToScene(QPointF(g->titleRect().right() + 14, GroupItem::kHeader / 2)));
}

QMenu* openMenuAt(GraphEditorWidget& w, QPoint p) {
  QContextMenuEvent event(QContextMenuEvent::Mouse, p, viewport(w)->mapToGlobal(p));
  QApplication::sendEvent(viewport(w), &event);
  auto* menu = w.findChild<QMenu*>("canvasContextMenu");
  return menu && menu->isVisible() ? menu : nullptr;
}

bool clickMenu(QMenu* menu, const QString& action) {
  for (QAction* a : menu->actions())
    if (a->objectName() == action) {
      if (!a->isEnabled()) return false;
      QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
      return true;
    }
  return false;
}

void shot(GraphEditorWidget& w, const QString& name) {
  if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !dir.isEmpty())
    QVERIFY(w.grab().save(dir + "/" + name));
}

bool near(QPointF a, QPointF b) {
  return QLineF(a, b).length() < 0.5;
}

}  // namespace

class TestEditorBlocks : public QObject {
  Q_OBJECT
 private slots:
  void init() { BlockLibrary::instance().replaceAll(json::object()); }

  void rubberBandGroupCollapseExpandUndo() {
    GraphEditorWidget w;
    setupWindow(w, {1300, 950}, {400, 420});
    loadResidual(w);
    GraphDocument* doc = w.document();
    GraphScene* scene = w.scene();
    // Rubber band around a .. act (d0 above, head below stay out).
    rubberBand(w, {60, 205}, {580, 640});
    QCOMPARE(scene->selectedNodeNames(), (QStringList{"a", "bn", "b", "add", "act"}));
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
    QCOMPARE(doc->groups().size(), size_t(1));
    const BlockSpec& block = doc->groups()[0];
    QCOMPARE(block.name, std::string("block"));
    QCOMPARE(block.nodes, (std::vector<std::string>{"a", "bn", "b", "add", "act"}));
    QVERIFY(block.collapsed);
    QCOMPARE(w.undoStack()->count(), 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Group block"));
    // Collapsed: one node with one input port and the block's output shape; its layers hidden.
    GroupItem* g = scene->groupItem("block");
    QVERIFY(g && g->isVisible() && g->collapsed());
    QCOMPARE(g->content().inputPorts, 1);
    QCOMPARE(g->content().outputShape, QString("(None, 5)"));
    QCOMPARE(g->content().layerCount, 5);
    for (const char* n : {"a", "bn", "b", "add", "act"}) QVERIFY(!scene->nodeItem(n)->isVisible());
    QVERIFY(scene->nodeItem("d0")->isVisible());
    // Edges end on its ports; the ones inside it are hidden.
    EdgeItem* in = scene->edgeItem("d0", "a", 0);
    QVERIFY(in->isVisible());
    QVERIFY(near(in->path().currentPosition(), g->inputPortScenePos(0)));
    QVERIFY(near(scene->edgeItem("act", "head", 0)->path().elementAt(0), g->outputPortScenePos()));
    QVERIFY(!scene->edgeItem("a", "bn", 0)->isVisible());
    shot(w, "h18group_block_collapsed.png");

    // Dragging the collapsed block moves its layers: one Move step.
    const QPointF oldA = doc->position("a");
    const QPoint grab = toView(w, g->mapToScene(QPointF(90, 50)));
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, grab);
    QTest::mouseMove(viewport(w), grab + QPoint(20, 0));
    QTest::mouseMove(viewport(w), grab + QPoint(60, 0));
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, grab + QPoint(60, 0));
    QCOMPARE(doc->position("a"), oldA + QPointF(60, 0));
    QCOMPARE(w.undoStack()->undoText(), QString("Move"));
    w.undoStack()->undo();
    QCOMPARE(doc->position("a"), oldA);

    // Double-click expands: the layers show inside a frame.
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {}, headerOf(w, g));
    QVERIFY(!doc->groups()[0].collapsed);
    QVERIFY(!g->collapsed());
    for (const char* n : {"a", "bn", "b", "add", "act"}) {
      QVERIFY(scene->nodeItem(n)->isVisible());
      QVERIFY(g->sceneBox().contains(scene->nodeItem(n)->sceneBoundingRect().center()));
    }
    QVERIFY(!g->sceneBox().contains(scene->nodeItem("d0")->sceneBoundingRect().center()));
    QVERIFY(scene->edgeItem("a", "bn", 0)->isVisible());
    QVERIFY(near(in->path().currentPosition(), scene->nodeItem("a")->inputPortScenePos(0)));
    shot(w, "h18group_block_expanded.png");
    // A click inside the frame but off the layers starts a rubber band (the frame takes none).
    QVERIFY(!scene->groupAt(QPointF(305, 300)));
    // And collapses again from its header.
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {}, headerOf(w, g));
    QVERIFY(doc->groups()[0].collapsed);
    // Collapse and expand are undo steps of their own.
    QCOMPARE(w.undoStack()->undoText(), QString("Collapse block block"));
    w.undoAction()->trigger();
    QVERIFY(!doc->groups()[0].collapsed);
    w.undoAction()->trigger();
    QVERIFY(doc->groups()[0].collapsed);

    // Undo removes the block (one step), redo brings it back.
    w.undoAction()->trigger();
    QVERIFY(doc->groups().empty());
    QVERIFY(scene->nodeItem("bn")->isVisible());
    QVERIFY(!scene->groupItem("block"));
    w.redoAction()->trigger();
    QCOMPARE(doc->groups().size(), size_t(1));
    QVERIFY(!scene->nodeItem("bn")->isVisible());

    // Ctrl+Shift+G on the selected block ungroups it.
    g = scene->groupItem("block");
    QTest::mouseClick(viewport(w), Qt::LeftButton, {}, toView(w, g->mapToScene(QPointF(90, 50))));
    QVERIFY(g->isSelected());
    QCOMPARE(scene->selectedNodeIds().size(), 5);  // the block stands for its layers
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(doc->groups().empty());
    QCOMPARE(w.undoStack()->undoText(), QString("Ungroup block"));
    QVERIFY(scene->nodeItem("bn")->isVisible());

    // A selection that is no block is refused with the reason.
    scene->selectNodes(QStringList{"a", "b"});
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
    QVERIFY(doc->groups().empty());
    QVERIFY2(w.statusMessage().contains("cannot group"), qPrintable(w.statusMessage()));
    // Removing a layer of a block keeps the block; undo puts the layer back into it.
    scene->selectNodes(QStringList{"a", "bn", "b", "add", "act"});
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
    QCOMPARE(doc->groups().size(), size_t(1));
    w.document()->setGroupCollapsed("block", false);
    scene->selectNodes(QStringList{"bn"});
    QTest::keyClick(w.view(), Qt::Key_Delete);
    QCOMPARE(doc->groups()[0].nodes.size(), size_t(4));
    w.undoAction()->trigger();
    QCOMPARE(doc->groups()[0].nodes.size(), size_t(5));
  }

  void saveToPaletteAndDropAgain() {
    GraphEditorWidget w;
    setupWindow(w, {1300, 950}, {400, 420});
    loadResidual(w);
    GraphDocument* doc = w.document();
    GraphScene* scene = w.scene();
    scene->selectNodes(QStringList{"a", "bn", "b", "add", "act"});
    QCOMPARE(GroupActions::of(&w)->groupSelection("resblock"), QString());
    GroupItem* g = scene->groupItem("resblock");
    QVERIFY(g);
    // Right-click on the block: "Save Block 'resblock' to Palette".
    QMenu* menu = openMenuAt(w, toView(w, g->mapToScene(QPointF(90, 50))));
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "saveBlockToPalette"));
    QVERIFY(BlockLibrary::instance().find("resblock").has_value());
    QVERIFY(w.palette()->blocksGroup());
    QTreeWidgetItem* entry = w.palette()->itemFor(BlockLibrary::kPrefix + "resblock");
    QVERIFY(entry);
    QCOMPARE(entry->parent(), w.palette()->blocksGroup());
    // Drag it from the palette onto the canvas: its layers again, as a new (expanded) block.
    const int steps = w.undoStack()->count();
    QVERIFY(dropLayer(w, BlockLibrary::kPrefix + "resblock", QPointF(700, 150)));
    QCOMPARE(w.undoStack()->count(), steps + 1);
    QCOMPARE(doc->groups().size(), size_t(2));
    const BlockSpec* copy = findBlock(doc->spec(), "resblock_1");
    QVERIFY(copy);
    QVERIFY(!copy->collapsed);
    QCOMPARE(copy->nodes, (std::vector<std::string>{"a_1", "bn_1", "b_1", "add_1", "act_1"}));
    QCOMPARE(doc->node("add_1")->inputs, std::vector<std::string>{"b_1"});  // input to connect
    QVERIFY(near(doc->position("a_1"), QPointF(700, 150)));
    json bnConfig = doc->node("bn")->config;
    bnConfig["name"] = "bn_1";
    QCOMPARE(doc->node("bn_1")->config, bnConfig);
    // Undo of the insert removes its layers and its block at once.
    w.undoAction()->trigger();
    QVERIFY(!doc->hasNode("a_1"));
    QCOMPARE(doc->groups().size(), size_t(1));

    // Saved blocks live in the project file.
    QTemporaryDir dir;
    const std::string path = dir.filePath("blocks.tessel").toStdString();
    {
      Project p = Project::create(path);
      const json& all = BlockLibrary::instance().all();
      for (auto it = all.begin(); it != all.end(); ++it) p.setBlock(it.key(), it.value());
    }
    Project p = Project::open(path);
    const auto blocks = p.blocks();
    QCOMPARE(blocks.size(), size_t(1));
    QCOMPARE(blocks.at("resblock"), *BlockLibrary::instance().find("resblock"));
    const ModelSpec saved = ModelSpec::fromKerasJson(blocks.at("resblock").at("model"));
    QCOMPARE(saved.inputs, std::vector<std::string>{"resblock_input"});
    QCOMPARE(saved.outputs, std::vector<std::string>{"act"});
  }

  void resnet50BlocksByNamePrefix() {
    GraphEditorWidget w;
    setupWindow(w, {1400, 950}, {400, 300});
    ApplicationOptions o;
    o.includeTop = false;
    o.pooling = "avg";
    o.inputShape = Shape{64, 64, 3};
    w.setModel(resnet50(o));
    GroupActions* actions = GroupActions::of(&w);
    QStringList added;
    QCOMPARE(actions->groupByPrefix(2, &added), QString());
    QCOMPARE(added.size(), 16);
    QCOMPARE(added.first(), QString("conv2_block1"));
    QCOMPARE(w.undoStack()->undoText(), QString("Group by name prefix"));
    GroupItem* b1 = w.scene()->groupItem("conv2_block1");
    QVERIFY(b1 && b1->collapsed() && b1->isVisible());
    QCOMPARE(b1->content().outputShape, QString("(None, 16, 16, 256)"));
    QCOMPARE(b1->content().layerCount, 12);
    QVERIFY(!w.scene()->nodeItem("conv2_block1_add")->isVisible());
    w.view()->centerOn(b1);
    shot(w, "h18group_resnet50_blocks.png");
    // Expand one residual block to read it.
    w.scene()->toggleBlock("conv2_block1");
    QVERIFY(w.scene()->nodeItem("conv2_block1_add")->isVisible());
    // Auto layout (Ctrl+L) then gives the expanded block room: no box overlaps its frame.
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_L, Qt::ControlModifier);
    for (GroupItem* other : w.scene()->blocks()->items())
      if (other != b1 && other->isVisible())
        QVERIFY2(!other->sceneBox().intersects(b1->sceneBox()), qPrintable(other->name()));
    for (NodeId id : w.document()->nodeIds())
      if (NodeItem* n = w.scene()->nodeItem(id);
          n->isVisible() && !b1->sceneBox().contains(n->sceneBoundingRect().center()))
        QVERIFY2(!n->sceneBoundingRect().intersects(b1->sceneBox()), qPrintable(n->name()));
    w.view()->setZoom(0.8);
    w.view()->centerOn(b1->sceneBox().center());
    shot(w, "h18group_resnet50_block_expanded.png");
    // Stages on top (one more step), then undo both.
    QCOMPARE(actions->groupByPrefix(1, &added), QString());
    QVERIFY(added.contains("conv3"));
    QVERIFY(!w.scene()->groupItem("conv3_block2")->isVisible());  // inside the collapsed stage
    w.view()->fitAll();
    shot(w, "h18group_resnet50_stages.png");
    w.undoAction()->trigger();  // stages
    QCOMPARE(w.document()->groups().size(), size_t(16));
    w.undoAction()->trigger();  // the layout
    w.undoAction()->trigger();  // the expansion of conv2_block1 (an undo step)
    w.undoAction()->trigger();  // the residual blocks
    QVERIFY(w.document()->groups().empty());
  }
};

QTEST_MAIN(TestEditorBlocks)
#include "tst_ui_editorblocks.moc"
