// One epoch of Model.fit (no shuffle, batch 4) against TF.js: optimizers.json (a two-input,
// two-output model with loss weights, once per optimizer) and cnn_training.json (a small CNN with
// BatchNormalization and SeparableConv2D). Same starting weights, same data; the trained weights
// (BatchNormalization moving statistics included) and the epoch's history must match.
// Cases whose layers or optimizer the engine does not have yet are skipped, naming them.
#include <QtTest>

#include <cmath>

#include "GoldenFixture.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kWeightRtol = 1e-4;
constexpr double kWeightAtol = 1e-5;
constexpr double kLossRtol = 1e-4;

}  // namespace

class TestGoldenTraining : public QObject {
  Q_OBJECT

 private:
  void runCase() {
    const json& c = currentCase();

    ModelSpec spec = ModelSpec::fromKerasJson(c.at("model").at("modelTopology"));
    for (const NodeSpec& node : spec.nodes)
      if (!LayerRegistry::instance().find(node.className))
        QSKIP(qPrintable(QString("layer %1 is not registered yet").arg(node.className.c_str())));
    try {
      makeOptimizer(c.at("optimizer"));
    } catch (const std::exception& e) {
      QSKIP(qPrintable(QString("optimizer %1 not available: %2")
                           .arg(QString::fromStdString(c.at("optimizer").at("class_name").dump()),
                                brief(e.what()).c_str())));
    }

    Model model(spec, 0);
    std::vector<std::pair<std::string, Tensor>> before;
    for (const json& w : c.at("weights_before"))
      before.emplace_back(w.at("name").get<std::string>(), tensorOf(w));
    model.loadNamedWeights(before);

    CompileOptions compile;
    const json& comp = c.at("compile");
    if (comp.at("loss").is_array()) {
      for (const json& l : comp.at("loss")) compile.losses.push_back(l);
    } else {
      compile.losses.push_back(comp.at("loss"));
    }
    if (comp.contains("loss_weights") && comp.at("loss_weights").is_array())
      for (const json& w : comp.at("loss_weights")) compile.lossWeights.push_back(w.get<double>());
    if (comp.contains("metrics") && !comp.at("metrics").empty()) {
      std::vector<json> ms;
      for (const json& m : comp.at("metrics")) ms.push_back(m);
      compile.metrics.push_back(ms);
    }
    compile.optimizer = c.at("optimizer");

    Dataset data;
    for (const json& x : c.at("data").at("inputs"))
      data.x.push_back(Array::fromTensor(tensorOf(x)));
    for (const json& y : c.at("data").at("targets"))
      data.y.push_back(Array::fromTensor(tensorOf(y)));

    FitOptions fit;
    fit.epochs = c.at("fit").at("epochs").get<int>();
    fit.batchSize = c.at("fit").at("batch_size").get<int>();
    fit.shuffle = c.at("fit").at("shuffle").get<bool>();
    fit.verbose = 0;

    Trainer trainer(model, compile);
    const History history = trainer.fit(data, fit);
    QVERIFY2(history.stopReason.empty(), history.stopReason.c_str());

    // Weights after the epoch, by name.
    auto named = model.namedWeights();
    for (const json& w : c.at("weights_after")) {
      const std::string name = w.at("name").get<std::string>();
      const Variable* var = nullptr;
      for (auto& [n, v] : named)
        if (n == name) var = v;
      QVERIFY2(var, qPrintable(QString("the engine model has no weight %1").arg(name.c_str())));
      const std::string d = compareTensor(var->value, w, kWeightRtol, kWeightAtol);
      QVERIFY2(d.empty(),
               qPrintable(QString("%1 after one epoch: %2").arg(name.c_str(), d.c_str())));
    }

    // History: tfjs logs accuracy as "acc", Keras 2 as "accuracy".
    for (const auto& [key, values] : c.at("history").items()) {
      const std::string k = key == "acc" ? "accuracy" : key;
      QVERIFY2(history.values.count(k),
               qPrintable(QString("history has no key %1").arg(k.c_str())));
      const double want = values.at(0).get<double>();
      const double got = history[k].at(0);
      QVERIFY2(std::fabs(got - want) <= 1e-6 + kLossRtol * std::fabs(want),
               qPrintable(QString("history %1: %2, want %3")
                              .arg(k.c_str())
                              .arg(got, 0, 'g', 9)
                              .arg(want, 0, 'g', 9)));
    }
  }

 private slots:
  void optimizers_data() { addCaseRows({"optimizers.json"}); }
  void optimizers() { runCase(); }

  void smallCnn_data() { addCaseRows({"cnn_training.json"}); }
  void smallCnn() { runCase(); }
};

QTEST_APPLESS_MAIN(TestGoldenTraining)
#include "tst_engine_golden_training.moc"
