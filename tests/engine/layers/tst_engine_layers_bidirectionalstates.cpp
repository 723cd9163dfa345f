// Bidirectional with initial states (Keras initial_state=[h_f, (c_f,) h_b, (c_b)]: the first half
// of the list goes to the forward layer, the second to the backward layer): the output equals the
// two wrapped layers run on their own with those states; finite-difference gradients of the
// sequence, the states and the weights; a wrong number of states is refused naming the node; the
// graph survives Keras JSON and the Python export writes initial_state=[...].
#include <QtTest>

#include "engine/graph/ModelSpec.h"
#include "engine/io/PythonExport.h"
#include "engine/layers/Bidirectional.h"
#include "engine/train/Model.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kN = 2, kT = 4, kF = 3, kU = 3;

int statesOf(const std::string& cls) {
  return cls == "LSTM" ? 2 : 1;
}

json biConfig(const std::string& cls, const json& merge, bool seq) {
  json inner = {{"units", kU}, {"return_sequences", seq}};
  return {{"layer", {{"class_name", cls}, {"config", inner}}}, {"merge_mode", merge}};
}

}  // namespace

class TestBidirectionalStates : public QObject {
  Q_OBJECT

 private slots:
  void matchesTheTwoLayers_data() {
    QTest::addColumn<QString>("cls");
    for (const char* c : {"SimpleRNN", "LSTM", "GRU"}) QTest::newRow(c) << QString(c);
  }
  void matchesTheTwoLayers() {
    QFETCH(QString, cls);
    const std::string c = cls.toStdString();
    const int s = statesOf(c);
    std::vector<Shape> shapes{{kNone, kT, kF}};
    for (int k = 0; k < 2 * s; ++k) shapes.push_back({kNone, kU});
    auto bi = makeBuilt("Bidirectional", biConfig(c, "concat", false), shapes, 3);
    std::vector<Shape> half(shapes.begin(), shapes.begin() + 1 + s);
    auto fwd = makeBuilt(c, {{"units", kU}}, half, 4);
    auto bwd = makeBuilt(c, {{"units", kU}, {"go_backwards", true}}, half, 5);
    auto& vars = bi->variables();
    const size_t per = fwd->variables().size();
    for (size_t v = 0; v < per; ++v) {
      fwd->variables()[v].value.copyFrom(vars[v].value);
      bwd->variables()[v].value.copyFrom(vars[per + v].value);
    }
    Rng rng(21);
    std::vector<Tensor> in{randomTensor({kN, kT, kF}, rng)};
    for (int k = 0; k < 2 * s; ++k) in.push_back(randomTensor({kN, kU}, rng));
    const Tensor y = runForward(*bi, in);
    std::vector<Tensor> inF{in[0]}, inB{in[0]};
    for (int k = 0; k < s; ++k) {
      inF.push_back(in[size_t(1 + k)]);
      inB.push_back(in[size_t(1 + s + k)]);
    }
    const Tensor yf = runForward(*fwd, inF), yb = runForward(*bwd, inB);
    QCOMPARE(y.shape(), (Shape{kN, 2 * kU}));
    for (Index n = 0; n < kN; ++n)
      for (Index j = 0; j < kU; ++j) {
        QVERIFY(std::fabs(y[n * 2 * kU + j] - yf[n * kU + j]) <= 1e-6f);
        QVERIFY(std::fabs(y[n * 2 * kU + kU + j] - yb[n * kU + j]) <= 1e-6f);
      }
    // The states matter: without them the output differs.
    const Tensor y0 = runForward(*bi, {in[0]});
    float d = 0;
    for (Index i = 0; i < y.size(); ++i) d = std::max(d, std::fabs(y[i] - y0[i]));
    QVERIFY(d > 1e-3f);
  }

  void gradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<QString>("merge");
    QTest::addColumn<bool>("seq");
    QTest::newRow("LSTM concat seq") << "LSTM"
                                     << "concat" << true;
    QTest::newRow("GRU sum last") << "GRU"
                                  << "sum" << false;
    QTest::newRow("SimpleRNN mul seq") << "SimpleRNN"
                                       << "mul" << true;
    QTest::newRow("LSTM ave last") << "LSTM"
                                   << "ave" << false;
  }
  void gradients() {
    QFETCH(QString, cls);
    QFETCH(QString, merge);
    QFETCH(bool, seq);
    const std::string c = cls.toStdString();
    const int s = statesOf(c);
    std::vector<Shape> shapes{{kNone, kT, kF}};
    for (int k = 0; k < 2 * s; ++k) shapes.push_back({kNone, kU});
    auto bi = makeBuilt("Bidirectional", biConfig(c, merge.toStdString(), seq), shapes, 8);
    Rng rng(31);
    std::vector<Tensor> in{randomTensor({kN, kT, kF}, rng)};
    for (int k = 0; k < 2 * s; ++k) in.push_back(randomTensor({kN, kU}, rng));
    QVERIFY(checkLayerGradients(*bi, in));
  }

  void wrongStateCountNamesTheNode() {
    auto bi = makeLayer("Bidirectional", biConfig("LSTM", "concat", false), "bi");
    QVERIFY(throwsSpec(
        [&] {
          bi->outputShape({{kNone, kT, kF}, {kNone, kU}, {kNone, kU}});
        },
        SpecErrorKind::ShapeMismatch, "bi", "4 initial states"));
    QVERIFY(throwsSpec(
        [&] {
          bi->outputShape(
              {{kNone, kT, kF}, {kNone, kU}, {kNone, kU}, {kNone, kU + 1}, {kNone, kU}});
        },
        SpecErrorKind::ShapeMismatch, "bi", "initial state"));
  }

  // x, h_f, c_f, h_b, c_b -> Bidirectional(LSTM): shape inference, a Model forward, Keras JSON
  // round trip and the Python export's initial_state=[...].
  void graphAndExports() {
    ModelSpec spec;
    for (const char* in : {"x", "hf", "cf", "hb", "cb"}) {
      spec.nodes.push_back(
          makeInputLayerNode(in, std::string(in) == "x" ? Shape{kNone, kT, kF} : Shape{kNone, kU}));
      spec.inputs.push_back(in);
    }
    NodeSpec n;
    n.name = "bi";
    n.className = "Bidirectional";
    n.config = biConfig("LSTM", "concat", true);
    n.config["name"] = "bi";
    n.inputs = {"x", "hf", "cf", "hb", "cb"};
    spec.nodes.push_back(n);
    spec.outputs = {"bi"};
    ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    ModelSpec back = ModelSpec::fromKerasJson(json::parse(spec.toKerasJson().dump()));
    QCOMPARE(back.find("bi")->inputs, n.inputs);
    Model m(back, 1);
    Rng rng(2);
    std::vector<Tensor> xs{randomTensor({kN, kT, kF}, rng)};
    for (int k = 0; k < 4; ++k) xs.push_back(randomTensor({kN, kU}, rng));
    std::vector<const Tensor*> xp;
    for (auto& t : xs) xp.push_back(&t);
    RunContext ctx;
    m.forward(xp, false, ctx);
    QCOMPARE(m.output(0).shape(), (Shape{kN, kT, 2 * kU}));
    const std::string py = pythonScript(spec, json::object(), PythonExportOptions{});
    QVERIFY2(py.find("initial_state=[hf, cf, hb, cb]") != std::string::npos, py.c_str());
  }
};

QTEST_APPLESS_MAIN(TestBidirectionalStates)
#include "tst_engine_layers_bidirectionalstates.moc"
