// keras.layers.ReLU: hand-computed forward (plain, max_value, negative_slope, threshold), gradient
// check, config defaults and checks, Python export by config, ONNX export (Relu / Clip /
// LeakyRelu) checked by python3-onnx and the numpy reference evaluator when present.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/data/Npy.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/layers/ReLU.h"
#include "engine/train/Model.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

std::vector<float> values(const Tensor& t) {
  return t.toVector();
}

ModelSpec reluModel(const json& reluConfig) {
  json c = reluConfig;
  c["name"] = "act";
  ModelSpec s;
  s.name = "relu_model";
  s.nodes.push_back(makeInputLayerNode("x", {kNone, 4, 4, 2}));
  s.nodes.push_back(
      {"conv",
       "Conv2D",
       {{"name", "conv"}, {"filters", 3}, {"kernel_size", {3, 3}}, {"padding", "same"}},
       {"x"},
       {}});
  s.nodes.push_back({"act", "ReLU", c, {"conv"}, {}});
  s.nodes.push_back({"flat", "Flatten", {{"name", "flat"}}, {"act"}, {}});
  s.inputs = {"x"};
  s.outputs = {"flat"};
  return s;
}

}  // namespace

class TestReLU : public QObject {
  Q_OBJECT
 private slots:
  void defaults() {
    const json c = LayerRegistry::instance().completeConfig("ReLU", {}, "relu");
    QVERIFY(c.at("max_value").is_null());
    QCOMPARE(c.at("negative_slope").get<double>(), 0.0);
    QCOMPARE(c.at("threshold").get<double>(), 0.0);
    QCOMPARE(LayerRegistry::instance().find("ReLU")->group, std::string("Activation"));
  }

  void forwardHandComputed() {
    const Tensor x({1, 6}, {-2.f, -0.5f, 0.f, 1.f, 6.f, 9.f});
    auto plain = makeBuilt("ReLU", json::object(), {{kNone, 6}});
    QCOMPARE(values(runForward(*plain, {x})), (std::vector<float>{0, 0, 0, 1, 6, 9}));
    auto six = makeBuilt("ReLU", {{"max_value", 6.0}}, {{kNone, 6}});
    QCOMPARE(values(runForward(*six, {x})), (std::vector<float>{0, 0, 0, 1, 6, 6}));
    auto leaky = makeBuilt("ReLU", {{"negative_slope", 0.1}}, {{kNone, 6}});
    const auto l = values(runForward(*leaky, {x}));
    QVERIFY(std::fabs(l[0] + 0.2f) < 1e-6f && std::fabs(l[1] + 0.05f) < 1e-6f && l[5] == 9.f);
    // threshold 1, slope 0.5: below 1 -> 0.5 (x - 1); max 5 caps.
    auto all = makeBuilt("ReLU", {{"threshold", 1.0}, {"negative_slope", 0.5}, {"max_value", 5.0}},
                         {{kNone, 6}});
    const auto a = values(runForward(*all, {x}));
    const std::vector<float> want = {-1.5f, -0.75f, -0.5f, 1.f, 5.f, 5.f};
    for (size_t i = 0; i < want.size(); ++i) QVERIFY(std::fabs(a[i] - want[i]) < 1e-6f);
  }

  void gradients() {
    Rng rng(3);
    // Values kept away from the kinks (0, 6) so finite differences are clean.
    Tensor x({2, 8});
    for (Index i = 0; i < x.size(); ++i) {
      float v = rng.uniform(-4, 9);
      if (std::fabs(v) < 0.1f || std::fabs(v - 6) < 0.1f) v += 0.5f;
      x[i] = v;
    }
    auto six = makeBuilt("ReLU", {{"max_value", 6.0}, {"negative_slope", 0.2}}, {{kNone, 8}});
    QVERIFY(checkLayerGradients(*six, {x}));
  }

  void badConfig() {
    QVERIFY(throwsSpec(
        [] {
          makeLayer("ReLU", {{"max_value", -1.0}}, "r");
        },
        SpecErrorKind::BadValue, "r"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("ReLU", {{"negative_slope", -0.1}}, "r");
        },
        SpecErrorKind::BadValue, "r"));
  }

  void pythonExport() {
    const std::string py = pythonScript(reluModel({{"max_value", 6.0}}), json::object(), {});
    QVERIFY2(py.find("layers.ReLU(") != std::string::npos, py.c_str());
    QVERIFY2(py.find("max_value=6.0") != std::string::npos, py.c_str());
  }

  void onnxExport_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("op");
    QTest::newRow("plain") << "{}"
                           << "Relu";
    QTest::newRow("relu6") << R"({"max_value": 6.0})"
                           << "Clip";
    QTest::newRow("leaky") << R"({"negative_slope": 0.3})"
                           << "LeakyRelu";
  }

  void onnxExport() {
    QFETCH(QString, config);
    QFETCH(QString, op);
    const ModelSpec spec = reluModel(json::parse(config.toStdString()));
    Model m(spec, 2);
    NamedWeights w;
    for (auto& [name, var] : m.namedWeights()) w.emplace_back(name, var->value);
    const std::string bytes = onnxModelBytes(spec, w);
    QVERIFY(bytes.find(op.toStdString()) != std::string::npos);
    QCOMPARE(onnxUnsupportedLayers(reluModel({{"threshold", 0.5}})).size(), size_t(1));

    QProcess probe;
    probe.start("python3", {"-c", "import onnx, numpy"});
    if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
      QSKIP("python3-onnx not installed: the exported file is not evaluated");
    QTemporaryDir dir;
    writeOnnxModel((dir.path() + "/model.onnx").toStdString(), spec, w);
    Rng rng(4);
    Tensor x({2, 4, 4, 2});
    for (Index i = 0; i < x.size(); ++i) x[i] = 4 * rng.normal();
    writeNpy((dir.path() + "/x0.npy").toStdString(), Array::fromTensor(x));
    RunContext ctx;
    m.forward({&x}, false, ctx);
    writeNpy((dir.path() + "/y0.npy").toStdString(), Array::fromTensor(m.output(0)));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start("python3", {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                        dir.path() + "/model.onnx", dir.path()});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && out.startsWith("ok"), qPrintable(out));
  }
};

QTEST_APPLESS_MAIN(TestReLU)
#include "tst_engine_relu.moc"
