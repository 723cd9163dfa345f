// GraphDocument and its undo commands: operations, refusals (cycles, taken ports, bad values),
// shape reports, JSON round trip, and a seeded random walk of 1,000 edits with undo/redo that
// must keep the graph valid, the node ids of each history step, and return to the exact initial
// JSON.
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>
#include <random>
#include <set>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"

using namespace tessel;
using namespace tessel::ui;

class TestUiGraphDocument : public QObject {
  Q_OBJECT

 private:
  // Every edge names an existing node and the graph has no cycle.
  static QString checkValid(const GraphDocument& doc) {
    const ModelSpec& spec = doc.spec();
    std::set<std::string> names;
    for (const auto& n : spec.nodes) {
      if (!names.insert(n.name).second) return "duplicate name " + QString::fromStdString(n.name);
      if (n.config.value("name", std::string()) != n.name)
        return "config name differs for " + QString::fromStdString(n.name);
    }
    for (const auto& n : spec.nodes)
      for (const auto& in : n.inputs)
        if (!names.count(in)) return "dangling edge " + QString::fromStdString(in);
    for (const auto& in : spec.inputs)
      if (!names.count(in)) return "dangling model input";
    for (const auto& out : spec.outputs)
      if (!names.count(out)) return "dangling model output";
    try {
      topologicalOrder(spec);
    } catch (const SpecError& e) {
      if (e.kind() == SpecErrorKind::Cycle) return QString("cycle: ") + e.what();
      return QString("topologicalOrder: ") + e.what();
    }
    return {};
  }

 private slots:
  void addNamesLikeKeras() {
    GraphDocument doc;
    QCOMPARE(doc.addNode("InputLayer", {0, 0}), QString("input_1"));
    QCOMPARE(doc.addNode("InputLayer", {0, 0}), QString("input_2"));
    QCOMPARE(doc.addNode("Dense", {0, 0}), QString("dense"));
    QCOMPARE(doc.addNode("Dense", {0, 0}), QString("dense_1"));
    QCOMPARE(doc.addNode("BatchNormalization", {0, 0}), QString("batch_normalization"));
    QString error;
    QCOMPARE(doc.addNode("NoSuchLayer", {0, 0}, &error), QString());
    QVERIFY(error.contains("NoSuchLayer"));
    // Required parameters get the palette's suggestion; the config is complete as Keras writes.
    QCOMPARE(doc.node("dense")->config["units"].get<int>(), 32);
    QCOMPARE(doc.node("dense")->config["activation"].get<std::string>(), std::string("linear"));
    QCOMPARE(doc.spec().inputs, (std::vector<std::string>{"input_1", "input_2"}));
  }

  void connectInfersShapesAndRefusesCycles() {
    GraphDocument doc;
    QSignalSpy validated(&doc, &GraphDocument::validated);
    doc.addNode("InputLayer", {0, 0});
    doc.addNode("Dense", {200, 0});
    doc.addNode("Dense", {400, 0});
    QVERIFY(!doc.errorText("dense").isEmpty());  // unconnected input
    QCOMPARE(doc.connect("input_1", "dense"), QString());
    QCOMPARE(doc.connect("dense", "dense_1"), QString());
    QCOMPARE(doc.outputShapeText("input_1"), QString("(None, 784)"));
    QCOMPARE(doc.outputShapeText("dense"), QString("(None, 32)"));
    QCOMPARE(doc.errorText("dense"), QString());
    QCOMPARE(doc.spec().outputs, std::vector<std::string>{"dense_1"});
    QVERIFY(validated.count() >= 5);
    // A cycle, a self loop, a taken single-input port, an input into an InputLayer: refused.
    QVERIFY(doc.connect("dense_1", "dense").contains("already connected"));
    doc.addNode("Add", {600, 0});
    QCOMPARE(doc.connect("dense_1", "add"), QString());
    QVERIFY(doc.connect("add", "dense").contains("already connected"));
    QCOMPARE(doc.disconnect("input_1", "dense", 0), QString());
    QVERIFY(doc.connect("add", "dense").contains("cycle"));
    QVERIFY(doc.connect("add", "add").contains("itself"));
    QVERIFY(doc.connect("dense", "input_1").contains("takes no input"));
    QCOMPARE(checkValid(doc), QString());
    // Config edits are validated by the registry.
    QVERIFY(!doc.setConfig("dense", "units", json(0)).isEmpty());
    QVERIFY(!doc.setConfig("dense", "activation", json("nope")).isEmpty());
    QVERIFY(doc.setConfig("dense", "bogus", json(1)).contains("bogus"));
    QCOMPARE(doc.setConfig("dense", "units", json(100)), QString());
    QCOMPARE(doc.node("dense")->config["units"].get<int>(), 100);
    // Rename follows edges and model outputs; names stay unique.
    QVERIFY(doc.rename("dense", "dense_1").contains("already used"));
    QCOMPARE(doc.rename("dense", "hidden"), QString());
    QCOMPARE(doc.node("dense_1")->inputs, std::vector<std::string>{"hidden"});
    QCOMPARE(QString::fromStdString(doc.node("hidden")->config["name"]), QString("hidden"));
  }

  void removeRestoresExactly() {
    GraphDocument doc;
    doc.addNode("InputLayer", {0, 0});
    doc.addNode("Dense", {1, 2});
    doc.addNode("Dense", {3, 4});
    doc.addNode("Add", {5, 6});
    doc.connect("input_1", "dense");
    doc.connect("dense", "add");
    doc.connect("input_1", "dense_1");
    doc.connect("dense_1", "add");
    doc.connect("dense", "add");
    const std::string before = doc.toJson().dump();
    QUndoStack stack;
    stack.push(new RemoveNodeCommand(&doc, "dense"));
    QCOMPARE(doc.edgeCount(), 2);
    QCOMPARE(doc.node("add")->inputs, std::vector<std::string>{"dense_1"});
    QCOMPARE(stack.count(), 1);
    stack.undo();
    QCOMPARE(doc.toJson().dump(), before);
    QCOMPARE(doc.position("dense"), QPointF(1, 2));
  }

  void refusedCommandsAreNotPushed() {
    GraphDocument doc;
    QUndoStack stack;
    stack.push(new AddNodeCommand(&doc, "InputLayer", {0, 0}));
    stack.push(new AddNodeCommand(&doc, "Dense", {0, 0}));
    stack.push(new ConnectCommand(&doc, "input_1", "dense"));
    QCOMPARE(stack.count(), 3);
    // The reason comes back from push(), not from any shared state.
    QVERIFY(GraphCommand::push(&stack, new ConnectCommand(&doc, "dense", "input_1"))
                .contains("takes no input"));
    QCOMPARE(stack.count(), 3);
    QVERIFY(GraphCommand::push(&stack, new SetConfigCommand(&doc, "dense", "units", json(-4)))
                .contains("units"));
    QCOMPARE(stack.count(), 3);
    QCOMPARE(GraphCommand::push(&stack, new SetConfigCommand(&doc, "dense", "units", json(10))),
             QString());
    QCOMPARE(stack.count(), 4);
    QCOMPARE(doc.outputShapeText("dense"), QString("(None, 10)"));
    // Consecutive moves of the same nodes merge into one step.
    stack.push(new MoveNodesCommand(&doc, {{"dense", {{0, 0}, {10, 0}}}}));
    stack.push(new MoveNodesCommand(&doc, {{"dense", {{10, 0}, {20, 5}}}}));
    QCOMPARE(stack.count(), 5);
    QCOMPARE(doc.position("dense"), QPointF(20, 5));
    stack.undo();
    QCOMPARE(doc.position("dense"), QPointF(0, 0));
    while (stack.canUndo()) stack.undo();
    QCOMPARE(doc.spec().nodes.size(), size_t(0));
  }

  void jsonRoundTripWithLayout() {
    ModelFile file = readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json");
    GraphDocument doc;
    doc.setModel(file.spec);
    QVERIFY2(doc.report().ok(), qPrintable(doc.modelErrors().join("; ")));
    QCOMPARE(checkValid(doc), QString());
    // Layered placement: every producer left of its consumers, no two nodes on one spot.
    std::set<std::pair<double, double>> spots;
    for (const auto& n : doc.spec().nodes) {
      QPointF p = doc.position(QString::fromStdString(n.name));
      QVERIFY(spots.insert({p.x(), p.y()}).second);
      for (const auto& in : n.inputs) QVERIFY(doc.position(QString::fromStdString(in)).x() < p.x());
    }
    doc.moveNode("dense", {-40, 77});
    GraphDocument copy;
    copy.fromJson(doc.toJson());
    QCOMPARE(copy.toJson().dump(), doc.toJson().dump());
    QCOMPARE(copy.position("dense"), QPointF(-40, 77));
    QVERIFY(copy.spec() == doc.spec());
  }

  void randomEditsUndoRedo() {
    // Start from the wide & deep model so removals and renames have real edges to restore.
    ModelFile file = readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json");
    GraphDocument doc;
    doc.setModel(file.spec);
    const std::string initial = doc.toJson().dump();
    QUndoStack stack;
    std::vector<std::string> states{initial};  // JSON after each stack index
    // Node ids after each stack index: undo and redo bring back the same identities.
    std::vector<std::vector<NodeId>> idStates{doc.nodeIds()};
    std::mt19937 rng(20261125);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const QStringList classes = {"InputLayer", "Dense",       "Dense",      "Dropout",
                                 "Add",        "Concatenate", "Activation", "BatchNormalization"};
    int pushed = 0, refused = 0;
    for (int step = 0; step < 1000; ++step) {
      const QStringList names = doc.nodeNames();
      const int op = pick(10);
      QUndoCommand* cmd = nullptr;
      if (op == 0 || names.isEmpty()) {
        cmd =
            new AddNodeCommand(&doc, classes[pick(classes.size())], QPointF(pick(500), pick(500)));
      } else if (op == 1) {
        cmd = new RemoveNodeCommand(&doc, names[pick(names.size())]);
      } else if (op == 2 || op == 3) {
        cmd = new ConnectCommand(&doc, names[pick(names.size())], names[pick(names.size())],
                                 pick(3) - 1);
      } else if (op == 4) {
        const NodeSpec* n = doc.node(names[pick(names.size())]);
        if (!n->inputs.empty()) {
          const int port = pick(static_cast<int>(n->inputs.size()));
          cmd = new DisconnectCommand(&doc, QString::fromStdString(n->inputs[port]),
                                      QString::fromStdString(n->name), port);
        }
      } else if (op == 5) {
        const QString name = names[pick(names.size())];
        const json values[] = {json(pick(40) - 5), json("relu"), json("nope"), json(0.25)};
        const char* keys[] = {"units", "activation", "rate", "axis", "bogus"};
        cmd = new SetConfigCommand(&doc, name, keys[pick(5)], values[pick(4)]);
      } else if (op == 6) {
        const QString name = names[pick(names.size())];
        const QString to = pick(2) ? names[pick(names.size())] : "n" + QString::number(pick(20));
        cmd = new RenameCommand(&doc, name, to);
      } else if (op == 7) {
        std::map<QString, std::pair<QPointF, QPointF>> moves;
        for (int k = 0; k < 1 + pick(2); ++k) {
          const QString name = names[pick(names.size())];
          moves[name] = {doc.position(name), QPointF(pick(900), pick(900))};
        }
        cmd = new MoveNodesCommand(&doc, moves);
      } else if (op == 8) {
        if (stack.canUndo()) stack.undo();
      } else {
        if (stack.canRedo()) stack.redo();
      }
      if (cmd) {
        const int before = stack.count();
        const int indexBefore = stack.index();
        stack.push(cmd);
        if (stack.index() == indexBefore && stack.count() <= before && op != 7) {
          ++refused;
          QCOMPARE(doc.toJson().dump(), states[stack.index()]);  // a refusal changes nothing
        } else {
          ++pushed;
        }
        states.resize(stack.index() + 1);
        states[stack.index()] = doc.toJson().dump();
        idStates.resize(stack.index() + 1);
        idStates[stack.index()] = doc.nodeIds();
      }
      QString problem = checkValid(doc);
      QVERIFY2(problem.isEmpty(), qPrintable(QString("step %1: %2").arg(step).arg(problem)));
      QVERIFY2(doc.toJson().dump() == states[stack.index()],
               qPrintable(QString("step %1: state differs from history").arg(step)));
      QVERIFY2(doc.nodeIds() == idStates[stack.index()],
               qPrintable(QString("step %1: node ids differ from history").arg(step)));
    }
    QVERIFY(pushed > 200);
    QVERIFY(refused > 50);
    while (stack.canUndo()) stack.undo();
    QCOMPARE(doc.toJson().dump(), initial);
  }
};

QTEST_APPLESS_MAIN(TestUiGraphDocument)
#include "tst_ui_graphdocument.moc"
