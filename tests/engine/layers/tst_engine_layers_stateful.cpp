// stateful=true on SimpleRNN, LSTM and GRU (Keras 2): a sequence cut in two halves and fed as two
// batches gives what the whole sequence gives in one (row k of batch i+1 continues row k of batch
// i), reset_states returns to the zero state, a model without a fixed batch size is refused with
// a message naming the node, the gradient of one batch treats the carried state as a constant
// (truncated BPTT; finite differences), and the flag and the fixed batch size survive model JSON.
#include <QtTest>

#include <sstream>

#include "engine/callbacks/ResetStates.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/OnnxExport.h"
#include "engine/layers/Bidirectional.h"
#include "engine/layers/RecurrentLayer.h"
#include "engine/train/Model.h"
#include "engine/train/StatefulRnn.h"
#include "engine/train/Trainer.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kN = 3, kT = 6, kF = 4, kU = 5;

// x -> <cls>(units kU, return_sequences) with input batch shape (batch, None, kF).
ModelSpec rnnModel(const std::string& cls, json cfg, Index batch) {
  ModelSpec spec;
  spec.nodes.push_back(makeInputLayerNode("x", {batch, kNone, kF}));
  spec.inputs = {"x"};
  NodeSpec n;
  n.name = "rnn";
  n.className = cls;
  cfg["units"] = kU;
  cfg["return_sequences"] = true;
  cfg["name"] = n.name;
  n.config = cfg;
  n.inputs = {"x"};
  spec.nodes.push_back(n);
  spec.outputs = {"rnn"};
  return spec;
}

// Time steps [t0, t1) of x (N, T, F).
Tensor steps(const Tensor& x, Index t0, Index t1) {
  const Index n = x.dim(0), T = x.dim(1), f = x.dim(2);
  Tensor out({n, t1 - t0, f});
  for (Index b = 0; b < n; ++b)
    for (Index t = t0; t < t1; ++t)
      for (Index j = 0; j < f; ++j) out[(b * (t1 - t0) + t - t0) * f + j] = x[(b * T + t) * f + j];
  return out;
}

Tensor run(Model& m, const Tensor& x) {
  RunContext ctx;
  m.forward({&x}, false, ctx);
  return m.output(0);
}

float maxDiff(const Tensor& a, const Tensor& b) {
  if (a.size() != b.size()) return 1e30f;
  float d = 0;
  for (Index i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

std::string realClass(const std::string& cls) {
  return cls == "GRU-v1" ? "GRU" : cls;
}

}  // namespace

class TestStatefulRnn : public QObject {
  Q_OBJECT

 private slots:
  void halvesEqualWhole_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<bool>("backwards");
    for (const char* c : {"SimpleRNN", "LSTM", "GRU", "GRU-v1"}) {
      QTest::newRow(c) << QString(c) << false;
      QTest::newRow((std::string(c) + " go_backwards").c_str()) << QString(c) << true;
    }
  }
  void halvesEqualWhole() {
    QFETCH(QString, cls);
    QFETCH(bool, backwards);
    const std::string c = cls.toStdString();
    json base = {{"go_backwards", backwards}};
    if (c == "GRU" || c == "GRU-v1") base["reset_after"] = c == "GRU";
    Model stateless(rnnModel(realClass(c), base, kNone), 11);
    json cfg = base;
    cfg["stateful"] = true;
    Model stateful(rnnModel(realClass(c), cfg, kN), 11);
    stateful.setWeights(stateless.getWeights());
    Rng rng(3);
    Tensor x = randomTensor({kN, kT, kF}, rng);
    const Tensor whole = run(stateless, x);
    // Processing order: forwards the first half comes first, with go_backwards the second.
    const Index h = kT / 2;
    Tensor a = steps(x, 0, h), b = steps(x, h, kT);
    const Tensor y1 = run(stateful, backwards ? b : a);
    const Tensor y2 = run(stateful, backwards ? a : b);
    // return_sequences is in processing order: whole = [y1 | y2] along time.
    Tensor joined({kN, kT, kU});
    for (Index n = 0; n < kN; ++n)
      for (Index t = 0; t < kT; ++t)
        for (Index j = 0; j < kU; ++j)
          joined[(n * kT + t) * kU + j] =
              t < h ? y1[(n * h + t) * kU + j] : y2[(n * (kT - h) + t - h) * kU + j];
    QVERIFY2(maxDiff(joined, whole) <= 1e-5f, std::to_string(maxDiff(joined, whole)).c_str());
    // Without the carried state the second half differs (the test can fail).
    QVERIFY(maxDiff(run(stateless, backwards ? a : b), y2) > 1e-3f);
  }

  void resetStatesReturnsToZero() {
    for (const char* cls : {"SimpleRNN", "LSTM", "GRU"}) {
      Model m(rnnModel(cls, {{"stateful", true}}, kN), 5);
      Model plain(rnnModel(cls, json::object(), kN), 5);
      plain.setWeights(m.getWeights());
      Rng rng(9);
      Tensor x = randomTensor({kN, 3, kF}, rng);
      const Tensor first = run(m, x);
      QVERIFY(maxDiff(first, run(plain, x)) <= 1e-6f);  // starts from zeros
      const Tensor second = run(m, x);
      QVERIFY(maxDiff(first, second) > 1e-3f);  // carried over
      auto* r = dynamic_cast<RecurrentLayer*>(m.layer("rnn"));
      QVERIFY(r && r->stateful() && r->statefulBatch() == kN);
      float norm = 0;
      for (Index i = 0; i < r->keptState(0).size(); ++i) norm += std::fabs(r->keptState(0)[i]);
      QVERIFY(norm > 0);
      QCOMPARE(resetStates(m), 1);
      for (int k = 0; k < r->stateCount(); ++k)
        for (Index i = 0; i < r->keptState(k).size(); ++i) QCOMPARE(r->keptState(k)[i], 0.0f);
      QVERIFY(maxDiff(run(m, x), first) <= 1e-6f);
      QCOMPARE(resetStates(plain), 0);
      QVERIFY(hasStatefulLayers(m));
      QVERIFY(!hasStatefulLayers(plain));
    }
  }

  void needsAFixedBatchSize() {
    QVERIFY(throwsSpec(
        [] {
          Model m(rnnModel("GRU", {{"stateful", true}}, kNone));
        },
        SpecErrorKind::BadValue, "rnn", "fixed batch size"));
    QVERIFY(throwsSpec(
        [] {
          ModelSpec s = rnnModel("Bidirectional", json::object(), kNone);
          s.nodes[1].config = {
              {"name", "rnn"},
              {"layer", {{"class_name", "LSTM"}, {"config", {{"units", 2}, {"stateful", true}}}}}};
          Model m(s);
        },
        SpecErrorKind::BadValue, "rnn", "batch_input_shape"));
    // A batch of another size at run time: an Error naming the layer and the size.
    Model m(rnnModel("LSTM", {{"stateful", true}}, kN));
    Tensor x({kN + 1, 2, kF});
    x.setZero();
    bool threw = false;
    try {
      run(m, x);
    } catch (const Error& e) {
      threw = std::string(e.what()).find("rnn") != std::string::npos &&
              std::string(e.what()).find(std::to_string(kN) + " samples") != std::string::npos;
      if (!threw) qWarning("%s", e.what());
    }
    QVERIFY(threw);
    // A bare layer never given a batch size.
    auto layer = makeBuilt("SimpleRNN", {{"units", 2}, {"stateful", true}}, {{kNone, 2, kF}});
    Tensor x2({1, 2, kF});
    x2.setZero();
    threw = false;
    try {
      runForward(*layer, {x2});
    } catch (const Error& e) {
      threw = std::string(e.what()).find("fixed batch size") != std::string::npos;
    }
    QVERIFY(threw);
  }

  void bidirectionalCarriesBothDirections() {
    ModelSpec s = rnnModel("GRU", json::object(), kN);
    s.nodes[1].className = "Bidirectional";
    s.nodes[1].config = {
        {"name", "rnn"},
        {"layer", {{"class_name", "GRU"}, {"config", {{"units", 2}, {"stateful", true}}}}}};
    Model m(s, 2);
    auto* bi = dynamic_cast<Bidirectional*>(m.layer("rnn"));
    QVERIFY(bi && bi->forwardLayer().statefulBatch() == kN &&
            bi->backwardLayer().statefulBatch() == kN);
    Rng rng(4);
    Tensor x = randomTensor({kN, 3, kF}, rng);
    const Tensor first = run(m, x);
    QVERIFY(maxDiff(first, run(m, x)) > 1e-3f);
    QCOMPARE(resetStates(m), 2);
    QVERIFY(maxDiff(first, run(m, x)) <= 1e-6f);
  }

  // One batch after another: the gradient of the second batch's loss (L = sum(y * r)) against
  // central differences with the carried state held fixed (no gradient into the previous batch).
  void truncatedBpttGradient_data() {
    QTest::addColumn<QString>("cls");
    for (const char* c : {"SimpleRNN", "LSTM", "GRU", "GRU-v1"}) QTest::newRow(c) << QString(c);
  }
  void truncatedBpttGradient() {
    QFETCH(QString, cls);
    const std::string c = cls.toStdString();
    json cfg = {{"units", 3}, {"stateful", true}, {"return_sequences", true}};
    if (c == "GRU-v1") cfg["reset_after"] = false;
    auto layer = makeBuilt(realClass(c), cfg, {{kNone, kNone, kF}}, 6);
    auto* r = dynamic_cast<RecurrentLayer*>(layer.get());
    QVERIFY(r);
    r->setStatefulBatch(2);
    Rng rng(8);
    Tensor x1 = randomTensor({2, 4, kF}, rng), x2 = randomTensor({2, 3, kF}, rng);
    runForward(*layer, {x1});  // batch 1: leaves a non-zero state
    std::vector<Tensor> kept;
    for (int k = 0; k < r->stateCount(); ++k) kept.push_back(r->keptState(k));
    auto restore = [&] {
      for (int k = 0; k < r->stateCount(); ++k) r->setKeptState(k, kept[size_t(k)]);
    };
    Tensor y;
    RunContext ctx;
    std::vector<const Tensor*> xs{&x2};
    layer->forward(xs, y, ctx);
    Tensor rw = randomTensor(y.shape(), rng);
    auto loss = [&] {
      restore();
      Tensor yy;
      RunContext c2;
      layer->forward(xs, yy, c2);
      double l = 0;
      for (Index i = 0; i < yy.size(); ++i) l += double(yy[i]) * rw[i];
      return l;
    };
    restore();
    layer->forward(xs, y, ctx);
    Tensor dx(x2.shape());
    std::vector<Tensor*> dxs{&dx};
    layer->backward(xs, y, rw, dxs, ctx);
    std::vector<Tensor> grads;
    for (auto& v : layer->variables()) grads.push_back(v.grad);
    const double eps = 1e-2;
    auto numeric = [&](float& value) {
      const float saved = value;
      value = saved + float(eps);
      const double lp = loss();
      value = saved - float(eps);
      const double lm = loss();
      value = saved;
      return (lp - lm) / (2 * eps);
    };
    auto close = [](double a, double n) {
      return std::fabs(a - n) <= 2e-3 + 2e-2 * std::max(std::fabs(a), std::fabs(n));
    };
    for (Index k = 0; k < x2.size(); ++k) {
      const double n = numeric(x2[k]);
      QVERIFY2(close(dx[k], n), ("x[" + std::to_string(k) + "] " + std::to_string(dx[k]) + " vs " +
                                 std::to_string(n))
                                    .c_str());
    }
    auto& vars = layer->variables();
    for (size_t v = 0; v < vars.size(); ++v)
      for (Index k = 0; k < vars[v].value.size(); ++k) {
        const double n = numeric(vars[v].value[k]);
        QVERIFY2(close(grads[v][k], n), (vars[v].name + "[" + std::to_string(k) + "] " +
                                         std::to_string(grads[v][k]) + " vs " + std::to_string(n))
                                            .c_str());
      }
    // The kept state is the input of this batch: it does change the loss (not a zero state).
    r->resetStates();
    Tensor y0;
    RunContext c3;
    layer->forward(xs, y0, c3);
    QVERIFY(maxDiff(y0, y) > 1e-3f);
  }

  // fit keeps the states from batch to batch and epoch to epoch (Keras); the ResetStates
  // callback zeroes them at each epoch end; shuffle=True warns; a batch of another size (the
  // last, partial one) is an Error naming the layer; ONNX export refuses the layer.
  void fitKeepsStatesUnlessReset() {
    Model m(rnnModel("LSTM", {{"stateful", true}}, 2), 3);
    auto* r = dynamic_cast<RecurrentLayer*>(m.layer("rnn"));
    Rng rng(12);
    Dataset data;
    data.x.push_back(Array::fromTensor(randomTensor({4, 3, kF}, rng)));
    data.y.push_back(Array::fromTensor(randomTensor({4, 3, kU}, rng)));
    CompileOptions compile;
    compile.losses = {"mean_squared_error"};
    compile.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}};
    Trainer trainer(m, compile);
    FitOptions fit;
    fit.epochs = 2;
    fit.batchSize = 2;
    fit.shuffle = false;
    fit.verbose = 0;
    auto keptNorm = [&] {
      float s = 0;
      for (int k = 0; k < r->stateCount(); ++k)
        for (Index i = 0; i < r->keptState(k).size(); ++i) s += std::fabs(r->keptState(k)[i]);
      return s;
    };
    trainer.fit(data, fit);
    QVERIFY(keptNorm() > 0);
    ResetStates reset;
    trainer.fit(data, fit, {&reset});
    QCOMPARE(reset.resets(), 2);
    QCOMPARE(keptNorm(), 0.0f);
    QCOMPARE(reset.toJson().at("class_name").get<std::string>(), std::string("ResetStates"));

    std::ostringstream out;
    fit.shuffle = true;
    fit.verbose = 1;
    fit.out = &out;
    fit.epochs = 1;
    trainer.fit(data, fit);
    QVERIFY2(out.str().find("shuffle=True with stateful") != std::string::npos, out.str().c_str());

    Dataset five;
    five.x.push_back(Array::fromTensor(randomTensor({5, 3, kF}, rng)));
    five.y.push_back(Array::fromTensor(randomTensor({5, 3, kU}, rng)));
    fit.shuffle = false;
    fit.verbose = 0;
    bool threw = false;
    try {
      trainer.fit(five, fit);
    } catch (const Error& e) {
      threw = std::string(e.what()).find("'rnn'") != std::string::npos;
      if (!threw) qWarning("%s", e.what());
    }
    QVERIFY(threw);

    const std::vector<std::string> onnx = onnxUnsupportedLayers(m.spec());
    QCOMPARE(onnx.size(), size_t(1));
    QVERIFY2(onnx[0].find("stateful") != std::string::npos, onnx[0].c_str());
  }

  void flagAndBatchSurviveModelJson() {
    ModelSpec spec = rnnModel("LSTM", {{"stateful", true}}, kN);
    const json j = spec.toKerasJson();
    ModelSpec back = ModelSpec::fromKerasJson(json::parse(j.dump()));
    QVERIFY(back.find("rnn")->config.at("stateful").get<bool>());
    QCOMPARE(inputLayerShape(*back.find("x"))[0], kN);
    Model m(back);
    QCOMPARE(dynamic_cast<RecurrentLayer*>(m.layer("rnn"))->statefulBatch(), kN);
    // Keras 2 Sequential with batch_input_shape on the first layer.
    json seq = {{"class_name", "Sequential"},
                {"config",
                 {{"name", "s"},
                  {"layers",
                   {{{"class_name", "SimpleRNN"},
                     {"config",
                      {{"name", "r"},
                       {"units", 2},
                       {"stateful", true},
                       {"batch_input_shape", {4, nullptr, 3}}}}}}}}}};
    Model s(ModelSpec::fromKerasJson(seq));
    QCOMPARE(dynamic_cast<RecurrentLayer*>(s.layer("r"))->statefulBatch(), Index(4));
    QVERIFY(configRoundTrips("GRU", {{"units", 3}, {"stateful", true}}));
  }
};

QTEST_APPLESS_MAIN(TestStatefulRnn)
#include "tst_engine_layers_stateful.moc"
