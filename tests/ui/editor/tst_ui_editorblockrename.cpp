// Renaming and collapsing composite blocks in the graph editor, driven by real events: a
// double-click on a block's title opens the in-place name field (BlockRenameEditor), typing a
// name and Return renames the block as one undo step, a taken name is refused with the reason
// and the field stays open, Escape cancels; the canvas menu's "Rename Block..." opens the same
// field; a double-click elsewhere on the header (or the menu's Collapse / Expand) collapses or
// expands the block as one undo step. A block with two outputs has two output ports, the edges
// leave from them, and a drag from the second port connects that output. Screenshots go to
// $TESSEL_SCREENSHOTS when it is set.
#include <QMenu>
#include <QUndoStack>
#include <QtTest>

#include "EditorTestSupport.h"
#include "engine/graph/Blocks.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/BlockRenameEditor.h"
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

// x -> d0 -> [a -> bn -> b, add(d0, b) -> act] -> head, with "a .. act" grouped by Ctrl+G.
void loadGrouped(GraphEditorWidget& w) {
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
    pos[n.name] = QPointF(100, y);
    y += 110;
  }
  w.undoStack()->clear();
  w.document()->setModel(s, pos);
  w.scene()->selectNodes(QStringList{"a", "bn", "b", "add", "act"});
  w.view()->setFocus();
  QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
  QCOMPARE(w.document()->groups().size(), size_t(1));
  w.undoStack()->clear();
}

QPoint titleOf(GraphEditorWidget& w, GroupItem* g) {
  return toView(w, g->mapToScene(g->titleRect().center()));
}

// On the header, right of the title: toggles.
QPoint headerOffTitle(GraphEditorWidget& w, GroupItem* g) {
  return toView(w, g->mapToScene(QPointF(g->titleRect().right() + 14, GroupItem::kHeader / 2)));
}

BlockRenameEditor* openEditor(GraphEditorWidget& w) {
  auto* e = w.view()->viewport()->findChild<BlockRenameEditor*>("blockRenameEditor");
  return e && e->isVisible() ? e : nullptr;
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
  QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS");
  if (dir.isEmpty()) return;
  QVERIFY(w.grab().save(dir + "/" + name));
}

}  // namespace

class TestEditorBlockRename : public QObject {
  Q_OBJECT
 private slots:
  void init() { BlockLibrary::instance().replaceAll(json::object()); }

  void doubleClickOnTitleRenames() {
    GraphEditorWidget w;
    setupWindow(w, {1200, 800}, {300, 350});
    loadGrouped(w);
    GraphDocument* doc = w.document();
    GroupItem* g = w.scene()->groupItem("block");
    QVERIFY(g && g->collapsed());
    QVERIFY(!g->titleRect().isEmpty());
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {}, titleOf(w, g));
    BlockRenameEditor* e = openEditor(w);
    QVERIFY(e);
    QCOMPARE(e->text(), QString("block"));
    QVERIFY(g->collapsed());  // the title renames, it does not toggle
    QCOMPARE(w.undoStack()->count(), 0);
    // The name field lies over the block's header.
    QVERIFY(e->geometry().intersects(
        w.view()->mapFromScene(g->mapRectToScene(g->headerRect())).boundingRect()));
    QTest::keyClick(e, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(e, "residual_1");
    shot(w, "h18_block_rename_editing.png");
    QTest::keyClick(e, Qt::Key_Return);
    QCoreApplication::processEvents();
    QVERIFY(!openEditor(w));
    QCOMPARE(doc->groups()[0].name, std::string("residual_1"));
    QCOMPARE(doc->groups()[0].nodes, (std::vector<std::string>{"a", "bn", "b", "add", "act"}));
    QVERIFY(doc->groups()[0].collapsed);
    QCOMPARE(w.undoStack()->count(), 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Rename block block to residual_1"));
    QVERIFY(!w.scene()->groupItem("block"));
    QVERIFY(w.scene()->groupItem("residual_1"));
    shot(w, "h18_block_renamed.png");
    // Undo / redo.
    w.undoAction()->trigger();
    QCOMPARE(doc->groups()[0].name, std::string("block"));
    QVERIFY(w.scene()->groupItem("block"));
    w.redoAction()->trigger();
    QCOMPARE(doc->groups()[0].name, std::string("residual_1"));

    // A layer's name is refused: the field stays open with the reason; Escape cancels.
    g = w.scene()->groupItem("residual_1");
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {}, titleOf(w, g));
    e = openEditor(w);
    QVERIFY(e);
    QTest::keyClick(e, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(e, "d0");
    QTest::keyClick(e, Qt::Key_Return);
    QVERIFY(openEditor(w) == e);
    QVERIFY2(w.statusMessage().contains("already named 'd0'"), qPrintable(w.statusMessage()));
    QVERIFY(e->toolTip().contains("already named"));
    QTest::keyClick(e, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(e, "bad name!");
    QTest::keyClick(e, Qt::Key_Return);
    QVERIFY(w.statusMessage().contains("not a layer name"));
    QTest::keyClick(e, Qt::Key_Escape);
    QCoreApplication::processEvents();
    QVERIFY(!openEditor(w));
    QCOMPARE(doc->groups()[0].name, std::string("residual_1"));
    QCOMPARE(w.undoStack()->count(), 1);
  }

  void contextMenuRenamesNestedBlock() {
    GraphEditorWidget w;
    setupWindow(w, {1200, 800}, {300, 350});
    loadGrouped(w);
    GraphDocument* doc = w.document();
    // An inner block inside "block": expand, group a and bn.
    w.scene()->toggleBlock("block");
    w.scene()->selectNodes(QStringList{"a", "bn"});
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
    QCOMPARE(doc->groups().size(), size_t(2));
    const BlockSpec* inner = findBlock(doc->spec(), "block_1");
    QVERIFY(inner);
    QCOMPARE(inner->parent, std::string("block"));
    // Right click on the outer block's header: "Rename Block 'block'...".
    GroupItem* g = w.scene()->groupItem("block");
    QVERIFY(!g->collapsed());
    QMenu* menu = openMenuAt(w, headerOffTitle(w, g));
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "renameBlock"));
    BlockRenameEditor* e = openEditor(w);
    QVERIFY(e);
    QCOMPARE(e->block(), QString("block"));
    QTest::keyClick(e, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(e, "stage2");
    QTest::keyClick(e, Qt::Key_Enter);
    QCOMPARE(doc->groups()[0].name, std::string("stage2"));
    // The inner block's parent follows.
    QCOMPARE(findBlock(doc->spec(), "block_1")->parent, std::string("stage2"));
    shot(w, "h18_block_nested_renamed.png");
    w.undoAction()->trigger();
    QCOMPARE(findBlock(doc->spec(), "block_1")->parent, std::string("block"));
  }

  void collapseAndExpandAreUndoSteps() {
    GraphEditorWidget w;
    setupWindow(w, {1200, 800}, {300, 350});
    loadGrouped(w);
    GraphDocument* doc = w.document();
    GroupItem* g = w.scene()->groupItem("block");
    QVERIFY(g->collapsed());
    // Double-click on the header off the title: expand, one step.
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {}, headerOffTitle(w, g));
    QVERIFY(!openEditor(w));
    QVERIFY(!doc->groups()[0].collapsed);
    QVERIFY(!g->collapsed());
    QVERIFY(w.scene()->nodeItem("bn")->isVisible());
    QCOMPARE(w.undoStack()->count(), 1);
    QCOMPARE(w.undoStack()->undoText(), QString("Expand block block"));
    shot(w, "h18_block_expanded.png");
    // The double-click on the arrow (left of the title) collapses it again.
    QTest::mouseDClick(viewport(w), Qt::LeftButton, {},
                       toView(w, g->mapToScene(QPointF(13, GroupItem::kHeader / 2))));
    QVERIFY(doc->groups()[0].collapsed);
    QVERIFY(!w.scene()->nodeItem("bn")->isVisible());
    QCOMPARE(w.undoStack()->count(), 2);
    QCOMPARE(w.undoStack()->undoText(), QString("Collapse block block"));
    // Undo expands, undo again collapses; redo expands.
    w.undoAction()->trigger();
    QVERIFY(!doc->groups()[0].collapsed);
    QVERIFY(w.scene()->nodeItem("bn")->isVisible());
    w.undoAction()->trigger();
    QVERIFY(doc->groups()[0].collapsed);
    QVERIFY(!w.scene()->nodeItem("bn")->isVisible());
    w.redoAction()->trigger();
    QVERIFY(!doc->groups()[0].collapsed);
    // The canvas menu's Collapse entry is an undo step too.
    QMenu* menu = openMenuAt(w, headerOffTitle(w, g));
    QVERIFY(menu);
    QVERIFY(clickMenu(menu, "toggleBlock"));
    QVERIFY(doc->groups()[0].collapsed);
    QCOMPARE(w.undoStack()->undoText(), QString("Collapse block block"));
    shot(w, "h18_block_collapsed.png");
  }

  void blockWithTwoOutputsHasTwoPorts() {
    GraphEditorWidget w;
    setupWindow(w, {1200, 800}, {300, 300});
    ModelSpec s;
    s.nodes = {makeInputLayerNode("x", {kNone, 6}),
               layer("a", "Dense", {"x"}, {{"units", 4}}),
               layer("b", "Dense", {"a"}, {{"units", 3}}),
               layer("c", "Dense", {"a"}, {{"units", 2}}),
               layer("head1", "Dense", {"b"}, {{"units", 2}}),
               layer("head2", "Dense", {"c"}, {{"units", 3}}),
               layer("spare", "Dense", {}, {{"units", 1}})};
    s.inputs = {"x"};
    s.outputs = {"head1", "head2"};
    std::map<std::string, QPointF> pos = {
        {"x", {100, 0}},      {"a", {100, 110}},     {"b", {40, 220}},     {"c", {240, 220}},
        {"head1", {40, 420}}, {"head2", {300, 420}}, {"spare", {560, 300}}};
    w.undoStack()->clear();
    w.document()->setModel(s, pos);
    w.scene()->selectNodes(QStringList{"a", "b", "c"});
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_G, Qt::ControlModifier);
    QCOMPARE(w.document()->groups().size(), size_t(1));
    GroupItem* g = w.scene()->groupItem("block");
    QVERIFY(g && g->collapsed());
    QCOMPARE(g->content().outputPorts, 2);
    QCOMPARE(g->content().outputShape, QString("(None, 3), (None, 2)"));
    QVERIFY(g->outputPortScenePos(0).y() < g->outputPortScenePos(1).y());
    // Each edge leaves from the port of the output it reads.
    auto near = [](QPointF p, QPointF q) { return QLineF(p, q).length() < 0.5; };
    QVERIFY(
        near(w.scene()->edgeItem("b", "head1", 0)->path().elementAt(0), g->outputPortScenePos(0)));
    QVERIFY(
        near(w.scene()->edgeItem("c", "head2", 0)->path().elementAt(0), g->outputPortScenePos(1)));
    shot(w, "h18_block_two_outputs.png");
    // A drag from the second port onto 'spare' connects c -> spare.
    const QPoint from = toView(w, g->outputPortScenePos(1));
    const QPoint to = toView(w, w.scene()->nodeItem("spare")->sceneBoundingRect().center());
    QTest::mousePress(viewport(w), Qt::LeftButton, {}, from);
    QTest::mouseMove(viewport(w), (from + to) / 2);
    QTest::mouseMove(viewport(w), to);
    QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, to);
    QCOMPARE(w.document()->spec().find("spare")->inputs, std::vector<std::string>{"c"});
    QCOMPARE(w.document()->groups()[0].nodes, (std::vector<std::string>{"a", "b", "c"}));
  }
};

QTEST_MAIN(TestEditorBlockRename)
#include "tst_ui_editorblockrename.moc"
