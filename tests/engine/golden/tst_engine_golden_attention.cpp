// PyTorch golden cases of tests/fixtures/torch/attention.json (attention.py there; TF.js has no
// attention layers): Attention (dot, scaled, concat, causal, separate key), AdditiveAttention
// (with and without scale, causal) and MultiHeadAttention (self, cross with key and causal mask,
// no bias, value_dim + output_shape). Weights by Keras name and order; forward rtol 1e-5, input
// and weight gradients of L = sum(output * dy) rtol 1e-4 (torch.autograd in float64; the
// MultiHeadAttention cases also agree with nn.MultiheadAttention in the generator). Cases with
// `masks` feed the Keras masks of the inputs (RunContext::inputMasks) and compare the attention
// weights (`scores`, masked entries 0, fully masked rows as Keras's -1e9 gives them) too; with
// return_attention_scores the weights are a second output and `dscores` flows back into it.
#include <QtTest>

#include "GoldenFixture.h"
#include "engine/core/Rng.h"
#include "engine/layers/Attention.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/MultiHeadAttention.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5, kAtol = 1e-6;
constexpr double kGradRtol = 1e-4, kGradAtol = 1e-5;

const json& torchFixture() {
  static const json doc = [] {
    const std::string path = std::string(TESSEL_FIXTURES_DIR) + "/torch/attention.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open fixture " + path);
    return json::parse(in);
  }();
  return doc;
}

}  // namespace

class TestGoldenAttention : public QObject {
  Q_OBJECT

 private slots:
  void fixtureFile() {
    const json& doc = torchFixture();
    QCOMPARE(doc.at("generated_by").get<std::string>(),
             std::string("tests/fixtures/torch/attention.py"));
    QVERIFY(doc.at("cases").size() >= 15);
  }

  void cases_data() {
    QTest::addColumn<int>("index");
    const json& cases = torchFixture().at("cases");
    for (size_t i = 0; i < cases.size(); ++i)
      QTest::newRow(cases[i].at("case").get<std::string>().c_str()) << int(i);
  }

  void cases() {
    QFETCH(int, index);
    const json& c = torchFixture().at("cases").at(size_t(index));
    const std::string cls = c.at("layer").at("class_name").get<std::string>();
    std::unique_ptr<Layer> layer;
    try {
      layer = LayerRegistry::instance().create(cls, c.at("layer").at("config"),
                                               c.at("case").get<std::string>());
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("create() refused the config: %1").arg(e.what())));
    }
    std::vector<Tensor> xs;
    std::vector<Shape> shapes;
    for (const json& in : c.at("inputs")) {
      xs.push_back(tensorOf(in));
      shapes.push_back(unbatched(xs.back().shape()));
    }
    std::vector<const Tensor*> xp;
    for (const Tensor& x : xs) xp.push_back(&x);
    QCOMPARE(layer->outputShape(shapes), unbatched(shapeOf(c.at("output"))));
    Rng rng(3);
    layer->build(shapes, rng);
    const json& weights = c.at("weights");
    QCOMPARE(layer->variables().size(), weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      Variable& v = layer->variables()[i];
      QCOMPARE(v.name, weights[i].at("name").get<std::string>());
      QCOMPARE(v.value.shape(), shapeOf(weights[i]));
      v.value = tensorOf(weights[i]);
    }
    RunContext ctx;
    std::vector<Tensor> masks;
    std::vector<const Tensor*> maskp;
    if (c.contains("masks")) {
      const json& ms = c.at("masks");
      masks.resize(ms.size());
      for (size_t i = 0; i < ms.size(); ++i) {
        if (!ms[i].is_null()) masks[i] = tensorOf(ms[i]);
        maskp.push_back(ms[i].is_null() ? nullptr : &masks[i]);
      }
      ctx.inputMasks = &maskp;
      std::vector<bool> masked;
      for (const Tensor* m : maskp) masked.push_back(m != nullptr);
      // The output carries the query's mask (Keras compute_mask: mask[0]); the weights none.
      QCOMPARE(layer->maskOut(masked), masked[0] ? MaskOut::PassFirst : MaskOut::None);
      QCOMPARE(layer->maskOutOf(1, masked), MaskOut::None);
    }
    const bool returnsScores = c.at("layer").at("config").value("return_attention_scores", false);
    Tensor scoresOut;
    std::vector<Tensor*> extra{&scoresOut};
    if (returnsScores) ctx.extraOutputs = &extra;
    Tensor y;
    layer->forward(xp, y, ctx);
    ctx.extraOutputs = nullptr;
    std::string d = compareTensor(y, c.at("output"), kRtol, kAtol);
    QVERIFY2(d.empty(), qPrintable(QString::fromStdString("output: " + d)));
    if (c.contains("scores")) {
      const Tensor* last = nullptr;
      if (auto* a = dynamic_cast<Attention*>(layer.get())) last = &a->lastAttentionScores();
      if (auto* m = dynamic_cast<MultiHeadAttention*>(layer.get()))
        last = &m->lastAttentionScores();
      QVERIFY(last);
      d = compareTensor(*last, c.at("scores"), kRtol, kAtol);
      QVERIFY2(d.empty(), qPrintable(QString::fromStdString("weights (preview): " + d)));
      if (returnsScores) {
        d = compareTensor(scoresOut, c.at("scores"), kRtol, kAtol);
        QVERIFY2(d.empty(), qPrintable(QString::fromStdString("scores output: " + d)));
      }
    }

    // The attention weights stay readable (previews): rows sum to 1.
    if (auto* a = dynamic_cast<Attention*>(layer.get())) {
      const Tensor& p = a->lastAttentionScores();
      const Index tv = p.dim(-1);
      for (Index r = 0; r < p.size() / tv; ++r) {
        double sum = 0;
        for (Index j = 0; j < tv; ++j) sum += p[r * tv + j];
        QVERIFY(std::fabs(sum - 1) < 1e-5);
      }
    }

    const Tensor dy = tensorOf(c.at("dy"));
    std::vector<Tensor> dxs(xs.size());
    std::vector<Tensor*> dxp;
    for (Tensor& t : dxs) dxp.push_back(&t);
    Tensor dscores;
    std::vector<const Tensor*> extraGrad;
    if (c.contains("dscores")) {
      dscores = tensorOf(c.at("dscores"));
      extraGrad.push_back(&dscores);
      ctx.extraOutputGrads = &extraGrad;
    }
    layer->backward(xp, y, dy, dxp, ctx);
    for (size_t i = 0; i < xs.size(); ++i) {
      d = compareTensor(dxs[i], c.at("input_grads").at(i), kGradRtol, kGradAtol);
      QVERIFY2(d.empty(), qPrintable(QString("d/dinput %1: %2").arg(i).arg(d.c_str())));
    }
    for (const json& gw : c.at("weight_grads")) {
      const std::string name = gw.at("name").get<std::string>();
      const Variable* var = nullptr;
      for (const Variable& v : layer->variables())
        if (v.name == name) var = &v;
      QVERIFY2(var && var->trainable, name.c_str());
      d = compareTensor(var->grad, gw, kGradRtol, kGradAtol);
      QVERIFY2(d.empty(), qPrintable(QString::fromStdString("d/d" + name + ": " + d)));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenAttention)
#include "tst_engine_golden_attention.moc"
