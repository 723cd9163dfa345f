// Stateful recurrent layers against TF.js 4.22 (tests/fixtures/tfjs/stateful.json, written by
// stateful.js): SimpleRNN, LSTM, GRU (reset_after=false), forwards and go_backwards, input batch
// shape fixed. Per case: the model read from the tfjs topology; predict on batch 1 then batch 2
// (states carried, rtol 1e-5); resetStates then batch 2 again (zero state); after another reset,
// one epoch of fit (SGD 0.1, MSE, batch size N, no shuffle) over batch 1 then batch 2: the epoch's
// loss and the weights after it (rtol 1e-4).
#include <QtTest>

#include "GoldenFixture.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Model.h"
#include "engine/train/StatefulRnn.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5, kAtol = 1e-6;
constexpr double kFitRtol = 1e-4, kFitAtol = 1e-5;

}  // namespace

class TestGoldenStateful : public QObject {
  Q_OBJECT

 private slots:
  void models_data() { addCaseRows({"stateful.json"}); }

  void models() {
    const json& c = currentCase();
    std::unique_ptr<Model> model;
    try {
      model = std::make_unique<Model>(ModelSpec::fromKerasJson(c.at("model").at("modelTopology")));
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("building the model: %1").arg(e.what())));
    }
    QVERIFY(hasStatefulLayers(*model));
    std::vector<std::pair<std::string, Tensor>> weights;
    for (const json& w : c.at("weights_before"))
      weights.emplace_back(w.at("name").get<std::string>(), tensorOf(w));
    model->loadNamedWeights(weights);
    const Tensor x1 = tensorOf(c.at("x1")), x2 = tensorOf(c.at("x2"));
    auto check = [&](const Tensor& x, const char* key) {
      RunContext ctx;
      model->forward({&x}, false, ctx);
      return compareTensor(model->output(0), c.at(key), kRtol, kAtol);
    };
    std::string d = check(x1, "y1");
    QVERIFY2(d.empty(), qPrintable(QString("y1: %1").arg(d.c_str())));
    d = check(x2, "y2");
    QVERIFY2(d.empty(), qPrintable(QString("y2 (carried state): %1").arg(d.c_str())));
    QCOMPARE(resetStates(*model), 1);
    d = check(x2, "y2_after_reset");
    QVERIFY2(d.empty(), qPrintable(QString("y2 after reset_states: %1").arg(d.c_str())));

    resetStates(*model);
    const Index n = x1.dim(0);
    Tensor both({2 * n, x1.dim(1), x1.dim(2)});
    std::copy(x1.data(), x1.data() + x1.size(), both.data());
    std::copy(x2.data(), x2.data() + x2.size(), both.data() + x1.size());
    Dataset data;
    data.x.push_back(Array::fromTensor(both));
    data.y.push_back(Array::fromTensor(tensorOf(c.at("target"))));
    CompileOptions compile;
    compile.losses = {"mean_squared_error"};
    compile.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.1}}}};
    Trainer trainer(*model, compile);
    FitOptions fit;
    fit.epochs = 1;
    fit.batchSize = int(n);
    fit.shuffle = false;
    fit.verbose = 0;
    const History history = trainer.fit(data, fit);
    const double histLoss = history.values.at("loss").at(0);
    QVERIFY2(
        std::fabs(histLoss - c.at("history_loss").get<double>()) <= 1e-4 * std::max(1.0, histLoss),
        qPrintable(
            QString("fit loss %1, tfjs %2").arg(histLoss).arg(c.at("history_loss").get<double>())));
    auto named = model->namedWeights();
    for (const json& w : c.at("weights_after")) {
      Variable* v = nullptr;
      for (auto& [name, var] : named)
        if (name == w.at("name").get<std::string>()) v = var;
      QVERIFY(v);
      d = compareTensor(v->value, w, kFitRtol, kFitAtol);
      QVERIFY2(d.empty(), qPrintable(QString("%1 after one epoch: %2")
                                         .arg(w.at("name").get<std::string>().c_str(), d.c_str())));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenStateful)
#include "tst_engine_golden_stateful.moc"
