#include <QtTest>

#include <chrono>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "tests/engine/graph/FakeLayers.h"
#include "tests/engine/graph/GraphFixtures.h"

using namespace tessel;
using namespace tessel::test;

namespace {

NodeSpec node(const std::string& name, const std::string& cls, json config,
              std::vector<std::string> inputs) {
  config["name"] = name;
  return NodeSpec{name, cls, std::move(config), std::move(inputs), {}};
}

// input_1 (None, 8) -> dense (30) -> out (1)
ModelSpec chain() {
  ModelSpec spec;
  spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 8}));
  spec.nodes.push_back(node("dense", "Dense", {{"units", 30}}, {"input_1"}));
  spec.nodes.push_back(node("out", "Dense", {{"units", 1}}, {"dense"}));
  spec.inputs = {"input_1"};
  spec.outputs = {"out"};
  return spec;
}

const SpecError* findError(const ShapeReport& r, SpecErrorKind kind, const std::string& node) {
  for (const auto& e : r.errors)
    if (e.kind() == kind && e.node() == node) return &e;
  return nullptr;
}

std::string listErrors(const ShapeReport& r) {
  std::string s;
  for (const auto& e : r.errors)
    s += std::string(specErrorKindName(e.kind())) + ": " + e.what() + "\n";
  return s;
}

}  // namespace

class TestShapeInference : public QObject {
  Q_OBJECT
 private slots:
  void infersWideDeep() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    ShapeReport r = inferShapes(spec, fakeRegistry());
    QVERIFY2(r.ok(), listErrors(r).c_str());
    if (LayerRegistry::instance().find("Concatenate")) {  // real layers agree
      ShapeReport real = inferShapes(spec);
      QVERIFY2(real.ok(), listErrors(real).c_str());
      QCOMPARE(*real.find("concatenate")->output, (Shape{kNone, 38}));
      QCOMPARE(*real.find("dense_2")->output, (Shape{kNone, 1}));
    }
    QCOMPARE(r.nodes.size(), size_t(5));
    QCOMPARE(*r.find("input_1")->output, (Shape{kNone, 8}));
    QCOMPARE(*r.find("dense")->output, (Shape{kNone, 30}));
    QCOMPARE(r.find("concatenate")->inputs, (std::vector<Shape>{{kNone, 8}, {kNone, 30}}));
    QCOMPARE(*r.find("concatenate")->output, (Shape{kNone, 38}));
    QCOMPARE(*r.find("dense_2")->output, (Shape{kNone, 1}));

    ModelSpec seq = ModelSpec::fromKerasJson(json::parse(sequentialNoInputJson()));
    ShapeReport rs = inferShapes(seq, fakeRegistry());
    QVERIFY2(rs.ok(), listErrors(rs).c_str());
    QCOMPARE(*rs.find("flatten")->output, (Shape{kNone, 784}));
    QCOMPARE(*rs.find("dense_1")->output, (Shape{kNone, 10}));
  }

  void topologicalOrderPutsProducersFirst() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    QCOMPARE(topologicalOrder(spec),
             (std::vector<std::string>{"input_1", "dense", "dense_1", "concatenate", "dense_2"}));
    std::reverse(spec.nodes.begin(), spec.nodes.end());
    auto order = topologicalOrder(spec);
    QCOMPARE(order.size(), size_t(5));
    auto pos = [&](const std::string& n) { return std::find(order.begin(), order.end(), n); };
    QVERIFY(pos("input_1") < pos("dense"));
    QVERIFY(pos("dense") < pos("dense_1"));
    QVERIFY(pos("dense_1") < pos("concatenate"));
    QVERIFY(pos("concatenate") < pos("dense_2"));
    ShapeReport r = inferShapes(spec, fakeRegistry());  // order in the spec does not matter
    QVERIFY2(r.ok(), listErrors(r).c_str());
    QCOMPARE(r.nodes.front().first, std::string("input_1"));
    QCOMPARE(*r.find("dense_2")->output, (Shape{kNone, 1}));
  }

  void cycleIsReportedOnANodeOfTheCycle() {
    ModelSpec spec = chain();
    // dense -> a -> b -> a: a and b form a cycle fed by dense; c hangs off the cycle.
    spec.nodes.push_back(node("a", "Add", json::object(), {"dense", "b"}));
    spec.nodes.push_back(node("b", "Dense", {{"units", 30}}, {"a"}));
    spec.nodes.push_back(node("c", "Dense", {{"units", 30}}, {"b"}));
    spec.nodes[2].inputs = {"c"};  // out <- c
    ShapeReport r = inferShapes(spec, fakeRegistry());
    const SpecError* e = findError(r, SpecErrorKind::Cycle, "a");
    QVERIFY2(e, listErrors(r).c_str());
    QVERIFY2(QString(e->what()).contains("a -> b -> a"), e->what());
    int cycles = 0;
    for (const auto& err : r.errors) cycles += err.kind() == SpecErrorKind::Cycle;
    QCOMPARE(cycles, 1);
    QCOMPARE(r.nodes.size(), spec.nodes.size());
    QVERIFY(r.find("dense")->output.has_value());
    QVERIFY(!r.find("a")->output.has_value());
    QVERIFY(!r.find("out")->output.has_value());
    try {
      topologicalOrder(spec);
      QFAIL("expected a cycle error");
    } catch (const SpecError& err) {
      QCOMPARE(err.kind(), SpecErrorKind::Cycle);
      QVERIFY(err.node() == "a" || err.node() == "b");
    }
    // A self loop.
    ModelSpec self = chain();
    self.nodes[1].inputs = {"dense"};
    ShapeReport rs = inferShapes(self, fakeRegistry());
    QVERIFY2(findError(rs, SpecErrorKind::Cycle, "dense"), listErrors(rs).c_str());
  }

  void danglingAndMissingInputs() {
    ModelSpec spec = chain();
    spec.nodes[1].inputs = {"nope"};
    ShapeReport r = inferShapes(spec, fakeRegistry());
    const SpecError* e = findError(r, SpecErrorKind::UnconnectedInput, "dense");
    QVERIFY2(e, listErrors(r).c_str());
    QVERIFY(QString(e->what()).contains("'nope'"));
    try {
      topologicalOrder(spec);
      QFAIL("expected an error");
    } catch (const SpecError& err) {
      QCOMPARE(err.kind(), SpecErrorKind::UnconnectedInput);
      QCOMPARE(err.node(), std::string("dense"));
    }
    // No input at all; a merge with a single input.
    ModelSpec none = chain();
    none.nodes[1].inputs.clear();
    ShapeReport rn = inferShapes(none, fakeRegistry());
    QVERIFY2(findError(rn, SpecErrorKind::UnconnectedInput, "dense"), listErrors(rn).c_str());
    QVERIFY2(findError(rn, SpecErrorKind::Unreachable, "out"), listErrors(rn).c_str());
    ModelSpec single = chain();
    single.nodes.push_back(node("concatenate", "Concatenate", json::object(), {"dense"}));
    single.nodes[2].inputs = {"concatenate"};
    ShapeReport r1 = inferShapes(single, fakeRegistry());
    e = findError(r1, SpecErrorKind::UnconnectedInput, "concatenate");
    QVERIFY2(e, listErrors(r1).c_str());
    QVERIFY2(QString(e->what()).contains("at least 2 inputs, 1 connected"), e->what());
  }

  void unknownLayerAndConfigErrors() {
    ModelSpec spec = chain();
    spec.nodes[1].className = "Frobnicate";
    spec.nodes.push_back(node("d2", "Dense", {{"units", 3}, {"unitz", 3}}, {"input_1"}));
    spec.nodes.push_back(node("d3", "Dense", {{"units", "ten"}}, {"input_1"}));
    spec.nodes.push_back(node("add", "Add", json::object(), {"out", "d2", "d3"}));
    spec.outputs = {"add"};
    ShapeReport r = inferShapes(spec, fakeRegistry());
    QVERIFY2(findError(r, SpecErrorKind::UnknownLayer, "dense"), listErrors(r).c_str());
    const SpecError* key = findError(r, SpecErrorKind::UnknownConfigKey, "d2");
    QVERIFY2(key, listErrors(r).c_str());
    QVERIFY(QString(key->what()).contains("unitz"));
    QVERIFY2(findError(r, SpecErrorKind::BadValue, "d3"), listErrors(r).c_str());
    QCOMPARE(r.errors.size(), size_t(3));  // nothing reported twice, nothing downstream
    QVERIFY(!r.find("add")->output.has_value());

    ModelSpec badInput = chain();
    badInput.nodes[0].config["shape_of_things"] = 1;
    ShapeReport ri = inferShapes(badInput, fakeRegistry());
    QVERIFY2(findError(ri, SpecErrorKind::UnknownConfigKey, "input_1"), listErrors(ri).c_str());
  }

  void shapeMismatchNamesBothShapes() {
    ModelSpec spec;
    spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 3}));
    spec.nodes.push_back(makeInputLayerNode("input_2", {kNone, 4}));
    spec.nodes.push_back(node("add", "Add", json::object(), {"input_1", "input_2"}));
    spec.nodes.push_back(node("dense", "Dense", {{"units", 2}}, {"add"}));
    spec.inputs = {"input_1", "input_2"};
    spec.outputs = {"dense"};
    ShapeReport r = inferShapes(spec, fakeRegistry());
    const SpecError* e = findError(r, SpecErrorKind::ShapeMismatch, "add");
    QVERIFY2(e, listErrors(r).c_str());
    QVERIFY2(QString(e->what()).contains("(None, 3)") && QString(e->what()).contains("(None, 4)"),
             e->what());
    QCOMPARE(r.errors.size(), size_t(1));
    QVERIFY(!r.find("dense")->output.has_value());

    // The real Add, once the layers are registered.
    if (LayerRegistry::instance().find("Add")) {
      ShapeReport real = inferShapes(spec);
      e = findError(real, SpecErrorKind::ShapeMismatch, "add");
      QVERIFY2(e, listErrors(real).c_str());
      QVERIFY2(QString(e->what()).contains("(None, 3)") && QString(e->what()).contains("(None, 4)"),
               e->what());
    }

    // A layer throwing a plain exception: still a ShapeMismatch on that node, shapes listed.
    ModelSpec thrower = chain();
    thrower.nodes[1].className = "Thrower";
    thrower.nodes[1].config = {{"name", "dense"}};
    ShapeReport rt = inferShapes(thrower, fakeRegistry());
    e = findError(rt, SpecErrorKind::ShapeMismatch, "dense");
    QVERIFY2(e, listErrors(rt).c_str());
    QVERIFY2(
        QString(e->what()).contains("cannot handle") && QString(e->what()).contains("(None, 8)"),
        e->what());
  }

  void unreachableNodesAndOutputs() {
    ModelSpec spec = chain();
    spec.nodes.push_back(node("side", "Dense", {{"units", 5}}, {"input_1"}));  // feeds nothing
    ShapeReport r = inferShapes(spec, fakeRegistry());
    QVERIFY2(findError(r, SpecErrorKind::Unreachable, "side"), listErrors(r).c_str());
    QCOMPARE(r.errors.size(), size_t(1));
    QVERIFY(r.find("side")->output.has_value());  // shapes are still inferred

    ModelSpec cut = chain();
    cut.nodes.push_back(makeInputLayerNode("input_2", {kNone, 8}));
    cut.nodes[1].inputs = {"input_2"};  // out is fed from input_2 which is not a model input
    ShapeReport rc = inferShapes(cut, fakeRegistry());
    QVERIFY2(findError(rc, SpecErrorKind::Unreachable, "out"), listErrors(rc).c_str());
    QVERIFY2(findError(rc, SpecErrorKind::Unreachable, "input_1"), listErrors(rc).c_str());
    QVERIFY2(findError(rc, SpecErrorKind::Other, "input_2"), listErrors(rc).c_str());

    ModelSpec noOut = chain();
    noOut.outputs = {"missing"};
    ShapeReport ro = inferShapes(noOut, fakeRegistry());
    QVERIFY2(findError(ro, SpecErrorKind::Other, "missing"), listErrors(ro).c_str());
  }

  void fiveHundredNodes() {
    // A 500-node graph: a chain of Dense layers with an Add skip every 10 layers.
    ModelSpec spec;
    spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 16}));
    std::string prev = "input_1";
    for (int i = 0; spec.nodes.size() < 500; ++i) {
      std::string name = spec.uniqueName("dense");
      spec.nodes.push_back(node(name, "Dense", {{"units", 16}, {"activation", "relu"}}, {prev}));
      if (i % 10 == 9) {
        std::string add = spec.uniqueName("add");
        spec.nodes.push_back(node(add, "Add", json::object(), {name, prev}));
        name = add;
      }
      prev = name;
    }
    spec.inputs = {"input_1"};
    spec.outputs = {prev};
    auto t0 = std::chrono::steady_clock::now();
    ShapeReport r = inferShapes(spec, fakeRegistry());
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY2(r.ok(), listErrors(r).c_str());
    QCOMPARE(r.nodes.size(), size_t(500));
    QCOMPARE(*r.find(prev)->output, (Shape{kNone, 16}));
    qInfo("inferShapes on %zu nodes: %.2f ms", spec.nodes.size(), ms);  // reported, not asserted

    const auto& real = LayerRegistry::instance();
    if (!real.find("Dense") || !real.find("Add")) QSKIP("real Dense/Add not registered yet");
    t0 = std::chrono::steady_clock::now();
    ShapeReport rr = inferShapes(spec);
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY2(rr.ok(), listErrors(rr).c_str());
    QCOMPARE(*rr.find(prev)->output, (Shape{kNone, 16}));
    qInfo("inferShapes on %zu nodes, real layers: %.2f ms", spec.nodes.size(), ms);
  }
};

QTEST_APPLESS_MAIN(TestShapeInference)
#include "tst_engine_shapeinference.moc"
