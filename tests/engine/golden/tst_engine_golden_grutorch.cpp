// GRU with reset_after=true (Keras 2's default; TF.js lacks it) against PyTorch's nn.GRU
// (tests/fixtures/torch/gru_reset_after.json, written by gru_reset_after.py; weight mapping in
// tests/fixtures/torch/README.md): forward output (rtol 1e-5), and the gradients of
// L = sum(output * dy) with respect to the input, the initial state and every weight (rtol 1e-4).
#include <QtTest>

#include <fstream>

#include "GoldenFixture.h"
#include "engine/layers/LayerRegistry.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

const json& torchCases() {
  static const json doc = [] {
    std::ifstream in(std::string(TESSEL_FIXTURES_DIR) + "/torch/gru_reset_after.json");
    if (!in) throw std::runtime_error("cannot open tests/fixtures/torch/gru_reset_after.json");
    return json::parse(in);
  }();
  return doc.at("cases");
}

}  // namespace

class TestGoldenGruTorch : public QObject {
  Q_OBJECT

 private slots:
  void gru_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < torchCases().size(); ++i)
      QTest::newRow(torchCases()[i].at("case").get<std::string>().c_str()) << int(i);
  }

  void gru() {
    QFETCH(int, index);
    const json& c = torchCases().at(size_t(index));
    auto layer = LayerRegistry::instance().create("GRU", c.at("config"), "gru");
    std::vector<Tensor> xs;
    std::vector<Shape> shapes;
    for (const json& in : c.at("inputs")) {
      xs.push_back(tensorOf(in));
      shapes.push_back(unbatched(xs.back().shape()));
    }
    Rng rng(1);
    layer->build(shapes, rng);
    auto& vars = layer->variables();
    QCOMPARE(vars.size(), size_t(3));
    for (size_t i = 0; i < 3; ++i) {
      const json& w = c.at("weights")[i];
      QCOMPARE(vars[i].name, w.at("name").get<std::string>());
      QCOMPARE(vars[i].value.shape(), shapeOf(w));
      vars[i].value = tensorOf(w);
    }
    std::vector<const Tensor*> xp;
    for (const Tensor& x : xs) xp.push_back(&x);
    Tensor y;
    RunContext ctx;
    layer->forward(xp, y, ctx);
    std::string d = compareTensor(y, c.at("output"), 1e-5, 1e-6);
    QVERIFY2(d.empty(), qPrintable(QString("output: %1").arg(d.c_str())));
    const Tensor dy = tensorOf(c.at("dy"));
    std::vector<Tensor> dx(xs.size());
    std::vector<Tensor*> dxp;
    for (Tensor& t : dx) dxp.push_back(&t);
    layer->backward(xp, y, dy, dxp, ctx);
    for (size_t i = 0; i < xs.size(); ++i) {
      d = compareTensor(dx[i], c.at("input_grads")[i], 1e-4, 1e-5);
      QVERIFY2(d.empty(), qPrintable(QString("d/dinput %1: %2").arg(i).arg(d.c_str())));
    }
    for (size_t i = 0; i < 3; ++i) {
      d = compareTensor(vars[i].grad, c.at("weight_grads")[i], 1e-4, 1e-5);
      QVERIFY2(d.empty(), qPrintable(QString("d/d%1: %2").arg(vars[i].name.c_str(), d.c_str())));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenGruTorch)
#include "tst_engine_golden_grutorch.moc"
