// The example models (resources/examples/<name>/model.json + weights.bin, TF.js
// layers-model format) through the engine: import the topology, load the weights from the
// weights manifest, predict two samples and compare with tfjs-layers' predictions
// (tests/fixtures/tfjs/examples.json). Models using a layer not registered yet are skipped.
#include <QtTest>

#include <cstring>
#include <fstream>
#include <iterator>

#include "GoldenFixture.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

// 20 stacked SELU layers and 28x28 convolutions accumulate float32 rounding differently.
constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-6;

const json& fixture() {
  static const json doc = loadFixture("examples.json");
  return doc;
}

json readJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

// Weights of a TF.js model.json in manifest order, read from the .bin files next to it.
std::vector<std::pair<std::string, Tensor>> readWeights(const json& modelJson,
                                                        const std::string& dir) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const json& group : modelJson.at("weightsManifest")) {
    std::string bytes;
    for (const json& p : group.at("paths")) {
      std::ifstream in(dir + "/" + p.get<std::string>(), std::ios::binary);
      if (!in) throw std::runtime_error("cannot open " + dir + "/" + p.get<std::string>());
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    size_t offset = 0;
    for (const json& w : group.at("weights")) {
      if (w.value("dtype", "float32") != "float32") throw std::runtime_error("not float32");
      Tensor t(shapeOf(w));
      const size_t n = size_t(t.size()) * sizeof(float);
      if (offset + n > bytes.size()) throw std::runtime_error("weights.bin is too short");
      std::memcpy(t.data(), bytes.data() + offset, n);
      offset += n;
      out.emplace_back(w.at("name").get<std::string>(), std::move(t));
    }
    if (offset != bytes.size()) throw std::runtime_error("weights.bin has trailing bytes");
  }
  return out;
}

}  // namespace

class TestGoldenExamples : public QObject {
  Q_OBJECT

 private slots:
  void predict_data() {
    QTest::addColumn<int>("index");
    const json& cases = fixture().at("cases");
    for (size_t i = 0; i < cases.size(); ++i)
      QTest::newRow(cases[i].at("case").get<std::string>().c_str()) << int(i);
  }
  void predict() {
    QFETCH(int, index);
    const json& c = fixture().at("cases").at(size_t(index));
    const std::string path =
        std::string(TESSEL_SOURCE_DIR) + "/" + c.at("model").get<std::string>();
    const std::string dir = path.substr(0, path.rfind('/'));
    const json modelJson = readJson(path);

    ModelSpec spec = ModelSpec::fromKerasJson(modelJson);
    for (const NodeSpec& node : spec.nodes)
      if (!LayerRegistry::instance().find(node.className))
        QSKIP(qPrintable(QString("layer %1 is not registered yet").arg(node.className.c_str())));

    // The training config must be readable as compile options.
    QVERIFY(modelJson.contains("trainingConfig"));
    const CompileOptions compile =
        CompileOptions::fromTrainingConfig(modelJson.at("trainingConfig"));
    QVERIFY(!compile.losses.empty());

    if (!c.at("weights_shipped").get<bool>()) QSKIP("weights not shipped (architecture only)");

    Model model(spec, 0);
    model.loadNamedWeights(readWeights(modelJson, dir));

    std::vector<Tensor> xs;
    for (const json& x : c.at("inputs")) xs.push_back(tensorOf(x));
    std::vector<const Tensor*> xptr;
    for (const Tensor& x : xs) xptr.push_back(&x);
    QCOMPARE(model.numInputs(), xs.size());
    RunContext ctx;
    model.forward(xptr, false, ctx);
    const json& outs = c.at("outputs");
    QCOMPARE(model.numOutputs(), outs.size());
    for (size_t i = 0; i < outs.size(); ++i) {
      const std::string d = compareTensor(model.output(i), outs[i], kRtol, kAtol);
      QVERIFY2(d.empty(), qPrintable(QString("output %1: %2").arg(i).arg(d.c_str())));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenExamples)
#include "tst_engine_golden_examples.moc"
