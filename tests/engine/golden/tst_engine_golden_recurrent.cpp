// Recurrent models against TF.js 4.22 (tests/fixtures/tfjs/recurrent.json, written by
// recurrent.js): SimpleRNN, LSTM, GRU (reset_after=false), Bidirectional (concat / sum / mul /
// ave), Embedding(mask_zero) feeding recurrent layers with padded sequences, Masking,
// go_backwards, return_sequences, initial states as extra inputs. Per case: the model read from
// the tfjs model.json topology, the forward output (rtol 1e-5), the gradients of the MSE loss
// with respect to every weight and float input (rtol 1e-4), and the weights after one epoch of
// SGD(0.1) on one batch (rtol 1e-4).
#include <QtTest>

#include "GoldenFixture.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5, kAtol = 1e-6;
constexpr double kGradRtol = 1e-4, kGradAtol = 1e-5;

}  // namespace

class TestGoldenRecurrent : public QObject {
  Q_OBJECT

 private slots:
  // multioutput.json (multioutput.js): return_state outputs read by tensor index.
  void models_data() { addCaseRows({"recurrent.json", "multioutput.json"}); }

  void models() {
    const json& c = currentCase();
    ModelSpec spec;
    try {
      spec = ModelSpec::fromKerasJson(c.at("model").at("modelTopology"));
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("reading the tfjs topology: %1").arg(e.what())));
    }
    std::unique_ptr<Model> model;
    try {
      model = std::make_unique<Model>(spec, 1);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("building the model: %1").arg(e.what())));
    }
    std::vector<std::pair<std::string, Tensor>> weights;
    for (const json& w : c.at("weights_before"))
      weights.emplace_back(w.at("name").get<std::string>(), tensorOf(w));
    model->loadNamedWeights(weights);

    std::vector<Tensor> xs;
    for (const json& in : c.at("inputs")) xs.push_back(tensorOf(in));
    std::vector<const Tensor*> xp;
    for (const Tensor& x : xs) xp.push_back(&x);

    RunContext ctx;
    model->forward(xp, false, ctx);
    std::string d = compareTensor(model->output(0), c.at("output"), kRtol, kAtol);
    QVERIFY2(d.empty(), qPrintable(QString("output: %1").arg(d.c_str())));

    // MSE = mean((y - t)^2) over every element: dL/dy = 2 (y - t) / size.
    const Tensor target = tensorOf(c.at("target"));
    model->setAllGradients(true);
    model->forward(xp, true, ctx);
    const Tensor& y = model->output(0);
    Tensor dy(y.shape());
    double loss = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const double e = double(y[i]) - target[i];
      loss += e * e;
      dy[i] = float(2 * e / double(y.size()));
    }
    loss /= double(y.size());
    QVERIFY2(std::fabs(loss - c.at("loss").get<double>()) <= 1e-5 * std::max(1.0, loss),
             qPrintable(QString("loss %1, tfjs %2").arg(loss).arg(c.at("loss").get<double>())));
    model->backward({&dy}, ctx);
    auto named = model->namedWeights();
    auto find = [&](const std::string& name) -> Variable* {
      for (auto& [n, v] : named)
        if (n == name) return v;
      return nullptr;
    };
    for (const json& g : c.at("weight_grads")) {
      const std::string name = g.at("name").get<std::string>();
      Variable* v = find(name);
      QVERIFY2(v, qPrintable(QString("no weight %1").arg(name.c_str())));
      d = compareTensor(v->grad, g, kGradRtol, kGradAtol);
      QVERIFY2(d.empty(), qPrintable(QString("d/d%1: %2").arg(name.c_str(), d.c_str())));
    }
    if (c.at("input_grads").is_array())
      for (const json& g : c.at("input_grads")) {
        const size_t k = g.at("input").get<size_t>();
        const Tensor* gx = model->gradientOf(model->inputName(k));
        QVERIFY2(gx, "no input gradient");
        d = compareTensor(*gx, g, kGradRtol, kGradAtol);
        QVERIFY2(d.empty(), qPrintable(QString("d/dinput %1: %2").arg(k).arg(d.c_str())));
      }

    // One epoch of fit with SGD(0.1), one batch, from the same starting weights.
    model->setAllGradients(false);
    model->loadNamedWeights(weights);
    Dataset data;
    for (const Tensor& x : xs) data.x.push_back(Array::fromTensor(x));
    data.y.push_back(Array::fromTensor(target));
    CompileOptions compile;
    compile.losses = {"mean_squared_error"};
    compile.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.1}}}};
    Trainer trainer(*model, compile);
    FitOptions fit;
    fit.epochs = 1;
    fit.batchSize = int(xs[0].dim(0));
    fit.shuffle = false;
    fit.verbose = 0;
    const History history = trainer.fit(data, fit);
    const double histLoss = history.values.at("loss").at(0);
    QVERIFY2(
        std::fabs(histLoss - c.at("history_loss").get<double>()) <= 1e-4 * std::max(1.0, histLoss),
        qPrintable(
            QString("fit loss %1, tfjs %2").arg(histLoss).arg(c.at("history_loss").get<double>())));
    named = model->namedWeights();
    for (const json& w : c.at("weights_after")) {
      Variable* v = find(w.at("name").get<std::string>());
      QVERIFY(v);
      d = compareTensor(v->value, w, kGradRtol, kGradAtol);
      QVERIFY2(d.empty(), qPrintable(QString("%1 after one epoch: %2")
                                         .arg(w.at("name").get<std::string>().c_str(), d.c_str())));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenRecurrent)
#include "tst_engine_golden_recurrent.moc"
