// The preprocessing cases of the TF.js fixtures (preprocessing.json, see the README there):
//  - Rescaling: tfjs-layers' layer, forward and input gradient;
//  - Normalization (tfjs has none): adapt() result (mean, variance, count), forward and input
//    gradient against Keras 2's formula computed with tfjs ops;
//  - RandomTranslation / RandomRotation / RandomZoom in training mode with deterministic factors
//    (lower == upper): the layer's matrix and output against tf.image.transform (tfjs's kernel of
//    TF's ImageProjectiveTransformV3) with Keras 2's matrix, every fill mode and interpolation.
#include <QtTest>

#include "GoldenFixture.h"
#include "engine/core/Rng.h"
#include "engine/layers/Adaptable.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/RandomTransformLayer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;
// Transform outputs: coordinates are float32 products in both, tfjs interpolates in float64.
constexpr double kImageAtol = 2e-6;

}  // namespace

class TestGoldenPreprocessing : public QObject {
  Q_OBJECT

 private slots:
  void cases_data() { addCaseRows({"preprocessing.json"}); }

  void cases() {
    const json& c = currentCase();
    const std::string className = c.at("layer").at("class_name").get<std::string>();
    const std::string caseName = c.at("case").get<std::string>();
    std::unique_ptr<Layer> layer;
    try {
      layer = LayerRegistry::instance().create(className, c.at("layer").at("config"), caseName);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("create() refused the config: %1").arg(e.what())));
    }
    Tensor x = tensorOf(c.at("inputs").at(0));
    Rng rng(1);
    layer->build({unbatched(x.shape())}, rng);
    QCOMPARE(layer->outputShape({unbatched(x.shape())}), unbatched(x.shape()));

    if (c.contains("adapt_data")) {
      auto* a = dynamic_cast<Adaptable*>(layer.get());
      QVERIFY(a);
      QVERIFY(!a->adapted());
      a->adapt(tensorOf(c.at("adapt_data")));
      QVERIFY(a->adapted());
      const json& want = c.at("weights_after_adapt");
      QCOMPARE(layer->variables().size(), want.size());
      for (size_t k = 0; k < want.size(); ++k) {
        const Variable& v = layer->variables()[k];
        QCOMPARE(v.name, want[k].at("name").get<std::string>());
        QVERIFY(!v.trainable);
        const std::string d = compareTensor(v.value, want[k], kRtol, kAtol);
        QVERIFY2(d.empty(), qPrintable(QString::fromStdString(v.name + ": " + d)));
      }
    }

    const bool training = c.at("training").get<bool>();
    Tensor y;
    Rng ctxRng(5);
    RunContext ctx;
    ctx.training = training;
    ctx.rng = &ctxRng;
    layer->forward({&x}, y, ctx);
    const double atol = c.contains("transform") ? kImageAtol : kAtol;
    std::string diff = compareTensor(y, c.at("output"), kRtol, atol);
    QVERIFY2(diff.empty(), qPrintable(QString::fromStdString("output: " + diff)));

    if (c.contains("transform")) {
      auto* t = dynamic_cast<RandomTransformLayer*>(layer.get());
      QVERIFY(t);
      const std::vector<float> want = c.at("transform").get<std::vector<float>>();
      QCOMPARE(t->lastTransforms().size(), size_t(x.dim(0)));
      for (const Projective& p : t->lastTransforms()) {
        const float got[8] = {p.a0, p.a1, p.a2, p.b0, p.b1, p.b2, p.c0, p.c1};
        const std::string d = compareValues(got, want, 1e-6, 1e-6);
        QVERIFY2(d.empty(), qPrintable(QString::fromStdString("transform: " + d)));
      }
      // Inference is the identity.
      RunContext inference;
      layer->forward({&x}, y, inference);
      QCOMPARE(y.toVector(), x.toVector());
    }

    if (c.contains("input_grads")) {
      Tensor dy = tensorOf(c.at("dy"));
      Tensor dx;
      layer->forward({&x}, y, ctx);
      layer->backward({&x}, y, dy, {&dx}, ctx);
      diff = compareTensor(dx, c.at("input_grads").at(0), 1e-4, 1e-5);
      QVERIFY2(diff.empty(), qPrintable(QString::fromStdString("input grad: " + diff)));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenPreprocessing)
#include "tst_engine_golden_preprocessing.moc"
