// Forward pass of every layer case of the TF.js fixtures (layers.json, merging.json, conv.json,
// separable_dm.json) through the engine's layers: create from the Keras config via the registry,
// build, set the variables by name, forward, compare with tfjs-layers 4.22 (and backward where
// the case has gradients). A layer class not registered yet is skipped
// (QSKIP naming it); a registered layer that disagrees fails.
#include <QtTest>

#include "GoldenFixture.h"
#include "engine/core/Rng.h"
#include "engine/layers/LayerRegistry.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;
// Gradients sum more terms (and tfjs computes them with other kernels than the forward pass).
constexpr double kGradRtol = 1e-4;
constexpr double kGradAtol = 1e-5;

}  // namespace

class TestGoldenLayers : public QObject {
  Q_OBJECT

 private:
  void runCase() {
    const json& c = currentCase();
    const std::string className = c.at("layer").at("class_name").get<std::string>();
    const json& config = c.at("layer").at("config");
    const std::string caseName = c.at("case").get<std::string>();

    const LayerRegistry& registry = LayerRegistry::instance();
    if (!registry.find(className))
      QSKIP(qPrintable(QString("layer %1 is not registered yet").arg(className.c_str())));

    std::unique_ptr<Layer> layer;
    try {
      layer = registry.create(className, config, caseName);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(
          QString("%1: create() refused the tfjs config: %2").arg(className.c_str(), e.what())));
    }

    // Inputs and their shapes (batch dimension kNone for shape inference and build).
    std::vector<Tensor> xs;
    std::vector<Shape> shapes;
    for (const json& in : c.at("inputs")) {
      xs.push_back(tensorOf(in));
      shapes.push_back(unbatched(xs.back().shape()));
    }
    std::vector<const Tensor*> xptr;
    for (const Tensor& x : xs) xptr.push_back(&x);

    const Shape want = unbatched(shapeOf(c.at("output")));
    Shape inferred;
    try {
      inferred = layer->outputShape(shapes);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("outputShape threw: %1").arg(e.what())));
    }
    QVERIFY2(inferred == want,
             qPrintable(QString("outputShape %1, want %2")
                            .arg(shapeStr(inferred).c_str(), shapeStr(want).c_str())));

    Rng rng(1234);
    layer->build(shapes, rng);

    // Variables by name, in Keras order.
    const json& weights = c.at("weights");
    auto& vars = layer->variables();
    QVERIFY2(vars.size() == weights.size(),
             qPrintable(QString("%1 variables, tfjs has %2").arg(vars.size()).arg(weights.size())));
    for (size_t i = 0; i < weights.size(); ++i) {
      const std::string wname = weights[i].at("name").get<std::string>();
      QVERIFY2(vars[i].name == wname, qPrintable(QString("variable %1 is '%2', tfjs order has '%3'")
                                                     .arg(i)
                                                     .arg(vars[i].name.c_str(), wname.c_str())));
      const Shape ws = shapeOf(weights[i]);
      QVERIFY2(vars[i].value.shape() == ws,
               qPrintable(QString("variable %1 has shape %2, tfjs %3")
                              .arg(wname.c_str(), shapeStr(vars[i].value.shape()).c_str(),
                                   shapeStr(ws).c_str())));
      vars[i].value = tensorOf(weights[i]);
    }

    const bool training = c.value("training", false);
    Rng runRng(99);
    RunContext ctx;
    ctx.training = training;
    ctx.rng = &runRng;
    Tensor y;
    try {
      layer->forward(xptr, y, ctx);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("forward threw: %1").arg(e.what())));
    }
    const std::string diff = compareTensor(y, c.at("output"), kRtol, kAtol);
    QVERIFY2(diff.empty(), qPrintable(QString("output: %1").arg(diff.c_str())));

    // Backward: dL/dx and dL/dw for L = sum(y * dy), as tf.grads computes them.
    if (c.contains("dy")) {
      const Tensor dy = tensorOf(c.at("dy"));
      std::vector<Tensor> dxs;
      for (const Tensor& x : xs) dxs.emplace_back(x.shape());
      std::vector<Tensor*> dxptr;
      for (Tensor& d : dxs) dxptr.push_back(&d);
      try {
        layer->backward(xptr, y, dy, dxptr, ctx);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("backward threw: %1").arg(e.what())));
      }
      const json& gx = c.at("input_grads");
      for (size_t i = 0; i < gx.size(); ++i) {
        const std::string d = compareTensor(dxs[i], gx[i], kGradRtol, kGradAtol);
        QVERIFY2(d.empty(), qPrintable(QString("d/dinput %1: %2").arg(i).arg(d.c_str())));
      }
      for (const json& gw : c.at("weight_grads")) {
        const std::string wname = gw.at("name").get<std::string>();
        const Variable* var = nullptr;
        for (const Variable& v : vars)
          if (v.name == wname) var = &v;
        QVERIFY2(var && var->trainable,
                 qPrintable(QString("no trainable variable %1").arg(wname.c_str())));
        const std::string d = compareTensor(var->grad, gw, kGradRtol, kGradAtol);
        QVERIFY2(d.empty(), qPrintable(QString("d/d%1: %2").arg(wname.c_str(), d.c_str())));
      }
    }

    if (c.contains("weights_after")) {
      const json& after = c.at("weights_after");
      for (size_t i = 0; i < after.size(); ++i) {
        const std::string d = compareTensor(vars[i].value, after[i], kRtol, kAtol);
        QVERIFY2(
            d.empty(),
            qPrintable(
                QString("%1 after the training call: %2").arg(vars[i].name.c_str(), d.c_str())));
      }
    }
  }

 private slots:
  void coreLayers_data() { addCaseRows({"layers.json", "merging.json"}); }
  void coreLayers() { runCase(); }

  void convLayers_data() { addCaseRows({"conv.json", "separable_dm.json"}); }
  void convLayers() { runCase(); }

  // The fixtures themselves: present, from the pinned tfjs, every case has an output.
  void fixturesAreWellFormed() {
    for (const char* file : {"layers.json", "conv.json"}) {
      const json& doc = fixture(file);
      QCOMPARE(QString::fromStdString(doc.at("tfjs_version").get<std::string>()),
               QString("4.22.0"));
      QVERIFY(doc.at("cases").size() > 20);
      for (const json& c : doc.at("cases")) {
        const Tensor out = tensorOf(c.at("output"));
        QVERIFY(out.size() > 0);
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenLayers)
#include "tst_engine_golden_layers.moc"
