// TF.js 4.22 golden cases of sequence.json (tests/fixtures/tfjs/sequence.js): RepeatVector,
// Permute and TimeDistributed (wrapping Dense, Conv2D and Flatten) as single layers (forward
// rtol 1e-5, input and weight gradients rtol 1e-4), and one epoch of model.fit (SGD and Adam,
// batch 4, no shuffle) of two small sequence models through the Keras JSON tfjs wrote: the
// trained weights (rtol 1e-4) and the loss history.
#include <QtTest>

#include <cmath>

#include "GoldenFixture.h"
#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5, kAtol = 1e-6;
constexpr double kGradRtol = 1e-4, kGradAtol = 1e-5;

// The rows of sequence.json's layer cases (withLayer) or its training cases.
void addRows(bool withLayer) {
  QTest::addColumn<QString>("file");
  QTest::addColumn<int>("index");
  const json& cases = fixture("sequence.json").at("cases");
  for (size_t i = 0; i < cases.size(); ++i)
    if (cases[i].contains("layer") == withLayer)
      QTest::newRow(cases[i].at("case").get<std::string>().c_str())
          << QString("sequence.json") << int(i);
}

}  // namespace

class TestGoldenSequence : public QObject {
  Q_OBJECT

 private slots:
  void fixtureFile() {
    const json& doc = golden::fixture("sequence.json");
    QCOMPARE(QString::fromStdString(doc.at("tfjs_version").get<std::string>()), QString("4.22.0"));
    QVERIFY(doc.at("cases").size() >= 12);
  }

  void layers_data() { addRows(true); }
  void layers() {
    const json& c = currentCase();
    const std::string cls = c.at("layer").at("class_name").get<std::string>();
    std::unique_ptr<Layer> layer;
    try {
      layer = LayerRegistry::instance().create(cls, c.at("layer").at("config"),
                                               c.at("case").get<std::string>());
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("create() refused the tfjs config: %1").arg(e.what())));
    }
    Tensor x = tensorOf(c.at("inputs").at(0));
    const Shape in = unbatched(x.shape());
    QCOMPARE(layer->outputShape({in}), unbatched(shapeOf(c.at("output"))));
    Rng rng(3);
    layer->build({in}, rng);
    const json& weights = c.at("weights");
    QCOMPARE(layer->variables().size(), weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      Variable& v = layer->variables()[i];
      QCOMPARE(v.name, weights[i].at("name").get<std::string>());
      QCOMPARE(v.value.shape(), shapeOf(weights[i]));
      v.value = tensorOf(weights[i]);
    }
    RunContext ctx;
    Tensor y;
    layer->forward({&x}, y, ctx);
    std::string d = compareTensor(y, c.at("output"), kRtol, kAtol);
    QVERIFY2(d.empty(), qPrintable(QString::fromStdString("output: " + d)));

    const Tensor dy = tensorOf(c.at("dy"));
    Tensor dx;
    layer->backward({&x}, y, dy, {&dx}, ctx);
    d = compareTensor(dx, c.at("input_grads").at(0), kGradRtol, kGradAtol);
    QVERIFY2(d.empty(), qPrintable(QString::fromStdString("input grad: " + d)));
    for (const json& gw : c.at("weight_grads")) {
      const std::string name = gw.at("name").get<std::string>();
      const Variable* var = nullptr;
      for (const Variable& v : layer->variables())
        if (v.name == name) var = &v;
      QVERIFY2(var, name.c_str());
      d = compareTensor(var->grad, gw, kGradRtol, kGradAtol);
      QVERIFY2(d.empty(), qPrintable(QString::fromStdString("d/d" + name + ": " + d)));
    }
  }

  void fit_data() { addRows(false); }
  void fit() {
    const json& c = currentCase();
    const ModelSpec spec = ModelSpec::fromKerasJson(c.at("model").at("modelTopology"));
    const ShapeReport report = inferShapes(spec);
    QVERIFY2(report.ok(), report.ok() ? "" : report.errors[0].what());
    Model model(spec, 0);
    std::vector<std::pair<std::string, Tensor>> before;
    for (const json& w : c.at("weights_before"))
      before.emplace_back(w.at("name").get<std::string>(), tensorOf(w));
    model.loadNamedWeights(before);

    Dataset data;
    data.x.push_back(Array::fromTensor(tensorOf(c.at("data").at("inputs").at(0))));
    data.y.push_back(Array::fromTensor(tensorOf(c.at("data").at("targets").at(0))));
    CompileOptions compile;
    compile.losses.push_back(c.at("compile").at("loss"));
    compile.optimizer = c.at("optimizer");
    Trainer trainer(model, compile);
    FitOptions fit;
    fit.epochs = c.at("fit").at("epochs").get<int>();
    fit.batchSize = c.at("fit").at("batch_size").get<int>();
    fit.shuffle = false;
    fit.verbose = 0;
    const History history = trainer.fit(data, fit);
    QVERIFY2(history.stopReason.empty(), history.stopReason.c_str());

    auto named = model.namedWeights();
    QCOMPARE(named.size(), c.at("weights_after").size());
    for (size_t i = 0; i < named.size(); ++i) {
      const json& want = c.at("weights_after").at(i);
      QCOMPARE(named[i].first, want.at("name").get<std::string>());
      const std::string d = compareTensor(named[i].second->value, want, 1e-4, 1e-5);
      QVERIFY2(d.empty(), qPrintable(QString::fromStdString(named[i].first + " after fit: " + d)));
    }
    const double wantLoss = c.at("history").at("loss").at(0).get<double>();
    const double gotLoss = history["loss"].at(0);
    QVERIFY2(
        std::fabs(gotLoss - wantLoss) <= 1e-4 * std::fabs(wantLoss) + 1e-6,
        qPrintable(QString("loss %1, tfjs %2").arg(gotLoss, 0, 'g', 9).arg(wantLoss, 0, 'g', 9)));
  }
};

QTEST_APPLESS_MAIN(TestGoldenSequence)
#include "tst_engine_golden_sequence.moc"
