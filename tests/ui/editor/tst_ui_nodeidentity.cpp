// Node identity in the graph document: a node keeps its NodeId through renames (the Keras name
// is a property), removal and undo; commands hold ids, so the history stays valid across renames
// and a command made before a rename still finds its node; refusals come back from push() or
// from the command itself; the saved layout is keyed by the current layer name and loads back.
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "ui/editor/GraphClipboard.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// input_1 -> dense -> dense_1, at known positions.
void buildChain(GraphDocument& doc) {
  doc.addNode("InputLayer", {0, 0});
  doc.addNode("Dense", {200, 10});
  doc.addNode("Dense", {400, 20});
  QCOMPARE(doc.connect("input_1", "dense"), QString());
  QCOMPARE(doc.connect("dense", "dense_1"), QString());
}

}  // namespace

class TestUiNodeIdentity : public QObject {
  Q_OBJECT

 private slots:
  void renameKeepsIdEdgesAndPosition() {
    GraphDocument doc;
    buildChain(doc);
    const NodeId in = doc.idOf("input_1"), dense = doc.idOf("dense"), out = doc.idOf("dense_1");
    QVERIFY(in != kInvalidNodeId && dense != kInvalidNodeId && out != kInvalidNodeId);
    QVERIFY(in != dense && dense != out);
    QSignalSpy renamed(&doc, &GraphDocument::nodeRenamed);
    QSignalSpy added(&doc, &GraphDocument::nodeAdded);
    QSignalSpy removed(&doc, &GraphDocument::nodeRemoved);
    QSignalSpy edgesGone(&doc, &GraphDocument::edgeRemoved);

    QUndoStack stack;
    QCOMPARE(GraphCommand::push(&stack, new RenameCommand(&doc, dense, "hidden")), QString());
    QCOMPARE(doc.idOf("hidden"), dense);
    QCOMPARE(doc.idOf("dense"), kInvalidNodeId);
    QCOMPARE(doc.nameOf(dense), QString("hidden"));
    QCOMPARE(doc.position(dense), QPointF(200, 10));
    QCOMPARE(doc.position("hidden"), QPointF(200, 10));
    QCOMPARE(doc.node(dense)->config["name"].get<std::string>(), std::string("hidden"));
    QCOMPARE(doc.node(out)->inputs, std::vector<std::string>{"hidden"});
    QCOMPARE(doc.consumers(dense), (std::vector<std::pair<NodeId, int>>{{out, 0}}));
    QCOMPARE(doc.consumers(in), (std::vector<std::pair<NodeId, int>>{{dense, 0}}));
    QCOMPARE(doc.outputShapeText(dense), QString("(None, 32)"));
    QCOMPARE(doc.nodeIds(), (std::vector<NodeId>{in, dense, out}));
    // One rename signal with the id; no node or edge went away and came back.
    QCOMPARE(renamed.count(), 1);
    QCOMPARE(renamed.first().at(0).value<NodeId>(), dense);
    QCOMPARE(renamed.first().at(1).toString(), QString("dense"));
    QCOMPARE(renamed.first().at(2).toString(), QString("hidden"));
    QCOMPARE(added.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(edgesGone.count(), 0);
    // The model output list follows the name.
    QCOMPARE(GraphCommand::push(&stack, new RenameCommand(&doc, out, "logits")), QString());
    QCOMPARE(doc.spec().outputs, std::vector<std::string>{"logits"});
    stack.undo();
    stack.undo();
    QCOMPARE(doc.nameOf(dense), QString("dense"));
    QCOMPARE(doc.spec().outputs, std::vector<std::string>{"dense_1"});
    QCOMPARE(doc.idOf("dense"), dense);
  }

  void nameIsAnUndoableProperty() {
    GraphDocument doc;
    buildChain(doc);
    const NodeId dense = doc.idOf("dense");
    QUndoStack stack;
    QCOMPARE(GraphCommand::push(&stack, new SetConfigCommand(&doc, dense, "name", json("enc"))),
             QString());
    QCOMPARE(doc.nameOf(dense), QString("enc"));
    QCOMPARE(doc.node(doc.idOf("dense_1"))->inputs, std::vector<std::string>{"enc"});
    // Through the property too, a name taken by another layer is refused.
    QVERIFY(GraphCommand::push(&stack, new SetConfigCommand(&doc, dense, "name", json("dense_1")))
                .contains("already used"));
    QCOMPARE(stack.count(), 1);
    stack.undo();
    QCOMPARE(doc.nameOf(dense), QString("dense"));
    stack.redo();
    QCOMPARE(doc.nameOf(dense), QString("enc"));
  }

  // Commands made before a rename, and commands on both sides of renames, undo and redo to the
  // exact recorded states; ids never change along the way.
  void undoRedoAcrossRenames() {
    GraphDocument doc;
    buildChain(doc);
    const NodeId in = doc.idOf("input_1"), dense = doc.idOf("dense"), out = doc.idOf("dense_1");
    QUndoStack stack;
    std::vector<std::string> states{doc.toJson().dump()};
    auto push = [&](GraphCommand* cmd) {
      const QString why = GraphCommand::push(&stack, cmd);
      QVERIFY2(why.isEmpty(), qPrintable(why));
      states.push_back(doc.toJson().dump());
    };
    // Made while the node is called "dense", pushed after it is renamed twice.
    auto* lateUnits = new SetConfigCommand(&doc, dense, "units", json(64));
    auto* lateMove = new MoveNodesCommand(&doc, {{dense, {QPointF(200, 10), QPointF(250, 60)}}});
    push(new SetConfigCommand(&doc, dense, "units", json(10)));
    push(new RenameCommand(&doc, dense, "a"));
    push(new DisconnectCommand(&doc, in, dense, 0));
    push(new RenameCommand(&doc, dense, "b"));
    push(lateUnits);
    push(new ConnectCommand(&doc, in, dense, 0));
    push(lateMove);
    push(new RenameCommand(&doc, out, "dense"));  // the old name, now for another node
    QCOMPARE(doc.nameOf(dense), QString("b"));
    QCOMPARE(doc.node(dense)->config["units"].get<int>(), 64);
    QCOMPARE(doc.position(dense), QPointF(250, 60));
    QCOMPARE(doc.idOf("dense"), out);
    QCOMPARE(doc.node(out)->inputs, std::vector<std::string>{"b"});
    for (int round = 0; round < 2; ++round) {
      for (int i = stack.index(); i > 0; --i) {
        stack.undo();
        QCOMPARE(doc.toJson().dump(), states[static_cast<size_t>(i - 1)]);
        QCOMPARE(doc.nodeIds(), (std::vector<NodeId>{in, dense, out}));
      }
      QCOMPARE(doc.nameOf(dense), QString("dense"));
      QCOMPARE(doc.node(dense)->config["units"].get<int>(), 32);
      for (int i = 0; i < stack.count(); ++i) {
        stack.redo();
        QCOMPARE(doc.toJson().dump(), states[static_cast<size_t>(i + 1)]);
        QCOMPARE(doc.nodeIds(), (std::vector<NodeId>{in, dense, out}));
      }
    }
  }

  // A removed node comes back with its id, so commands made before the removal still apply.
  void removeAndUndoKeepTheId() {
    GraphDocument doc;
    buildChain(doc);
    const NodeId dense = doc.idOf("dense"), out = doc.idOf("dense_1");
    QUndoStack stack;
    auto* later = new SetConfigCommand(&doc, dense, "units", json(5));
    QCOMPARE(GraphCommand::push(&stack, new RemoveNodeCommand(&doc, dense)), QString());
    QVERIFY(!doc.hasNode(dense));
    QVERIFY(doc.node(out)->inputs.empty());
    stack.undo();
    QVERIFY(doc.hasNode(dense));
    QCOMPARE(doc.consumers(dense), (std::vector<std::pair<NodeId, int>>{{out, 0}}));
    QCOMPARE(doc.position(dense), QPointF(200, 10));
    QCOMPARE(GraphCommand::push(&stack, later), QString());
    QCOMPARE(doc.node(dense)->config["units"].get<int>(), 5);
    // Added nodes get their id when the command is made; redo brings back the same one.
    auto* add = new AddNodeCommand(&doc, "Dropout", {9, 9});
    const NodeId drop = add->nodeId();
    QVERIFY(drop != kInvalidNodeId && !doc.hasNode(drop));
    QCOMPARE(GraphCommand::push(&stack, add), QString());
    QCOMPARE(doc.nameOf(drop), QString("dropout"));
    stack.undo();
    QVERIFY(!doc.hasNode(drop));
    stack.redo();
    QCOMPARE(doc.idOf("dropout"), drop);
    // A new model gives new ids: a command of the old one finds nothing.
    auto* stale = new SetConfigCommand(&doc, dense, "units", json(6));
    doc.setModel(doc.spec());
    QVERIFY(!doc.hasNode(dense));
    QVERIFY(doc.hasNode("dense"));
    QVERIFY(!GraphCommand::push(&stack, stale).isEmpty());
  }

  // The reason of a refusal comes from push() or the command, per call: nothing is shared
  // between documents or left over for the next command.
  void refusalWithoutSharedState() {
    GraphDocument a, b;
    buildChain(a);
    buildChain(b);
    QUndoStack sa, sb;
    const QString why = GraphCommand::push(&sa, new RenameCommand(&a, a.idOf("dense"), "dense_1"));
    QVERIFY2(why.contains("already used"), qPrintable(why));
    QCOMPARE(sa.count(), 0);
    QCOMPARE(GraphCommand::push(&sb, new RenameCommand(&b, b.idOf("dense"), "x")), QString());
    QCOMPARE(sb.count(), 1);
    QVERIFY(GraphCommand::push(&sa, new ConnectCommand(&a, a.idOf("dense_1"), a.idOf("input_1")))
                .contains("takes no input"));
    QCOMPARE(GraphCommand::push(&sa, new SetConfigCommand(&a, a.idOf("dense"), "units", json(3))),
             QString());
    // Without a stack: the command tells its own refusal and marks itself obsolete.
    ConnectCommand cycle(&a, a.idOf("dense_1"), a.idOf("dense"));
    cycle.redo();
    QVERIFY(cycle.isObsolete());
    QVERIFY2(cycle.refusal().contains("already connected"), qPrintable(cycle.refusal()));
    RenameCommand fine(&a, a.idOf("dense"), "enc");
    fine.redo();
    QVERIFY(!fine.isObsolete());
    QCOMPARE(fine.refusal(), QString());
    fine.undo();
    QCOMPARE(a.nameOf(a.idOf("dense")), QString("dense"));
  }

  void clipboardCopiesByIdAfterRename() {
    GraphDocument doc;
    buildChain(doc);
    const NodeId dense = doc.idOf("dense"), out = doc.idOf("dense_1");
    doc.rename(dense, "hidden");
    const json j = GraphClipboard::toJson(doc, std::vector<NodeId>{out, dense});
    QCOMPARE(j["tessel_layout"]["hidden"], json::array({200.0, 10.0}));
    const GraphFragment f = GraphClipboard::fromJson(j);
    QCOMPARE(f.nodes.size(), size_t(2));
    QCOMPARE(f.nodes[0].name, std::string("hidden"));
    QCOMPARE(f.nodes[1].inputs, std::vector<std::string>{"hidden"});
  }

  // The file keeps Keras JSON plus positions keyed by layer name: after a rename and a move the
  // saved layout names the new name, and a document loaded from it has the node where it was.
  void savedLayoutFollowsRename() {
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    QString error;
    const qint64 id =
        s.addModel("small", testutil::tinyTopology(3, "small"), json::object(), nullptr, &error);
    QVERIFY2(id > 0, qPrintable(error));
    GraphDocument doc;
    QUndoStack stack;
    doc.fromJson(s.model(id)->spec);
    s.attach(id, &doc, &stack);
    const NodeId dense = doc.idOf("dense");
    QVERIFY(dense != kInvalidNodeId);
    QCOMPARE(GraphCommand::push(&stack, new RenameCommand(&doc, dense, "encoder")), QString());
    stack.push(new MoveNodesCommand(&doc, {{dense, {doc.position(dense), QPointF(321, -12)}}}));
    QVERIFY2(s.save(&error), qPrintable(error));

    Project p = Project::open(path.toStdString(), true);
    auto rec = p.model(id);
    QVERIFY(rec);
    QVERIFY(!rec->layout.contains("dense"));
    QCOMPARE(rec->layout["encoder"], json::array({321.0, -12.0}));
    json saved = rec->spec;
    saved["tessel_layout"] = rec->layout;
    GraphDocument loaded;
    loaded.fromJson(saved);
    QCOMPARE(loaded.position("encoder"), QPointF(321, -12));
    QCOMPARE(loaded.toJson().dump(), doc.toJson().dump());
    for (const QString& name : doc.nodeNames()) QCOMPARE(loaded.position(name), doc.position(name));
  }
};

QTEST_MAIN(TestUiNodeIdentity)
#include "tst_ui_nodeidentity.moc"
