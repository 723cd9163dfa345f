// Lambda and CustomLayer nodes, custom losses and metrics written as expressions: gradient
// checks, Keras JSON round trips, and the three custom pieces of the California-housing style
// regression trained end to end against their built-in equivalents (softplus Lambda = softplus
// activation, CustomizedDenseLayer = Dense, customized_mse = mse).
#include <QtTest>
#include <cmath>
#include <sstream>

#include "engine/callbacks/TerminateOnNaN.h"
#include "engine/expr/ExprError.h"
#include "engine/io/LayerSupport.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/losses/ExpressionLoss.h"
#include "engine/metrics/Metric.h"
#include "engine/train/Trainer.h"
#include "tests/engine/layers/LayerTestUtil.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// 8 features like the housing data, a smooth nonlinear target (n, 1).
void regressionData(Index n, Dataset& d, std::uint64_t seed = 5) {
  Rng rng(seed);
  Tensor x({n, 8}), y({n, 1});
  for (Index i = 0; i < n; ++i) {
    double t = 0.3;
    for (Index j = 0; j < 8; ++j) {
      x[i * 8 + j] = rng.uniform(-1, 1);
      t += (j % 2 ? 0.5 : -0.25) * x[i * 8 + j] + 0.2 * x[i * 8 + j] * x[i * 8 + (j + 1) % 8];
    }
    y[i] = float(t);
  }
  d.x = {Array::fromTensor(x)};
  d.y = {Array::fromTensor(y)};
}

json customDenseConfig(const std::string& name, int units, const json& activation) {
  return {{"name", name},
          {"custom_class", "CustomizedDenseLayer"},
          {"params", {{"units", units}, {"activation", activation}}},
          {"weights",
           {{{"name", "kernel"},
             {"shape", {"input_shape[1]", "units"}},
             {"initializer", "uniform"},
             {"trainable", true}},
            {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "zeros"}}}},
          {"call", "activation(x @ kernel + bias)"}};
}

// Trains `m` one epoch with SGD and the given loss; returns the history's losses.
std::vector<double> trainEpoch(Model& m, const json& loss, const Dataset& d,
                               std::vector<json> metrics = {}) {
  Trainer t(m, CompileOptions{{loss}, {}, {metrics}, sgd(0.01)});
  FitOptions o;
  o.epochs = 1, o.batchSize = 32, o.verbose = 0, o.seed = 3;
  History h = t.fit(d, o);
  return h["loss"];
}

bool sameBits(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (a[k].shape() != b[k].shape() ||
        std::memcmp(a[k].data(), b[k].data(), sizeof(float) * size_t(a[k].size())) != 0)
      return false;
  return true;
}

double maxAbsDiff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double m = 0;
  for (size_t k = 0; k < a.size(); ++k)
    for (Index i = 0; i < a[k].size(); ++i) m = std::max(m, double(std::abs(a[k][i] - b[k][i])));
  return m;
}

}  // namespace

class TestExpressionLayers : public QObject {
  Q_OBJECT

 private slots:
  void lambdaForwardAndGradients() {
    auto l = makeBuilt("Lambda", {{"expression", "tf.nn.softplus(x)"}}, {{kNone, 5}});
    Tensor x(Shape{1, 5}, {-10, -5, 0, 5, 10});
    const Tensor y = runForward(*l, {x});
    for (Index i = 0; i < 5; ++i)
      QVERIFY(std::abs(y[i] - std::log1p(std::exp(double(x[i])))) < 1e-5);
    Rng rng(3);
    QVERIFY(checkLayerGradients(*l, {randomTensor({4, 5}, rng)}));
    // Two inputs, Keras's `arguments`, a lambda prefix.
    auto two =
        makeBuilt("Lambda",
                  {{"expression",
                    "lambda t: alpha * t[0] * t[1] + tf.reduce_sum(t[1], axis=-1, keepdims=True)"},
                   {"arguments", {{"alpha", 0.5}}}},
                  {{kNone, 3}, {kNone, 3}});
    QCOMPARE(two->outputShape({{kNone, 3}, {kNone, 3}}), (Shape{kNone, 3}));
    QVERIFY(checkLayerGradients(*two, {randomTensor({2, 3}, rng), randomTensor({2, 3}, rng)}));
  }

  void lambdaShapeErrorsNameTheLayerAndColumn() {
    auto l = makeLayer("Lambda", {{"expression", "x @ tf.constant([[1.0, 2.0]])"}}, "scale");
    QVERIFY(throwsSpec(
        [&] {
          l->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "scale", "at column 3: matmul: inner dimensions differ"));
    auto bad = makeLayer("Lambda", {{"expression", "tf.nn.softplus(x"}}, "sp");
    QVERIFY(throwsSpec(
        [&] {
          bad->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "sp", "at column 17: expected ')'"));
  }

  void kerasLambdaWithPythonCodeIsUnsupported() {
    // As Keras 2 writes Lambda(lambda x: tf.nn.softplus(x)): marshalled bytecode.
    const json topology = {
        {"class_name", "Sequential"},
        {"config",
         {{"name", "m"},
          {"layers",
           {{{"class_name", "InputLayer"},
             {"config", {{"name", "in"}, {"batch_input_shape", {nullptr, 4}}}}},
            {{"class_name", "Lambda"},
             {"config",
              {{"name", "customized_softplus"},
               {"function",
                {"4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMMAAAAdABqAaACfACh", nullptr, nullptr}},
               {"function_type", "lambda"},
               {"module", "__main__"},
               {"output_shape", nullptr},
               {"arguments", json::object()}}}}}}}}};
    // Building it (the studio's shape inference) says the same on the node.
    QVERIFY(throwsSpec(
        [&] {
          makeLayer("Lambda", topology["config"]["layers"][1]["config"], "customized_softplus");
        },
        SpecErrorKind::BadValue, "customized_softplus", "unsupported: Python function"));
    const ModelSpec spec = ModelSpec::fromKerasJson(topology);
    const auto missing = unsupportedLayers(spec);
    QCOMPARE(int(missing.size()), 1);
    QVERIFY(missing[0].find("'customized_softplus'") != std::string::npos);
    QVERIFY(missing[0].find("unsupported: Python function") != std::string::npos);
    try {
      requireSupportedLayers(spec, "model.json");
      QFAIL("imported a Lambda holding Python code");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("customized_softplus") != std::string::npos);
    }
  }

  void customLayerGradientsAndShapes() {
    auto l = makeBuilt("CustomLayer", customDenseConfig("cd", 4, "tanh"), {{kNone, 3}});
    QCOMPARE(l->variables().size(), size_t(2));
    QCOMPARE(l->variables()[0].value.shape(), (Shape{3, 4}));
    QCOMPARE(l->variables()[1].value.shape(), (Shape{4}));
    QCOMPARE(l->parameterCount(), Index(16));
    Rng rng(9);
    QVERIFY(checkLayerGradients(*l, {randomTensor({5, 3}, rng)}));
    // A dimension that needs the batch size is refused with the layer's name.
    json cfg = customDenseConfig("bad", 4, nullptr);
    cfg["weights"][0]["shape"] = {"input_shape[0]", "units"};
    auto bad = makeLayer("CustomLayer", cfg, "bad");
    QVERIFY(throwsSpec(
        [&] {
          bad->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "bad", "unknown input dimension"));
  }

  // The softplus Lambda after a linear Dense trains exactly as Dense(activation="softplus").
  void softplusLambdaEqualsSoftplusActivation() {
    Dataset d;
    regressionData(320, d);
    Model a(
        makeSpec({inputNode("in", {8}), denseNode("h", 30, "in", "relu"), denseNode("o", 1, "h"),
                  node("sp", "Lambda", {"o"}, {{"expression", "tf.nn.softplus(x)"}})},
                 {"in"}, {"sp"}),
        1);
    Model b(makeSpec({inputNode("in", {8}), denseNode("h", 30, "in", "relu"),
                      denseNode("o", 1, "h", "softplus")},
                     {"in"}, {"o"}),
            1);
    b.setWeights(a.getWeights());
    const auto la = trainEpoch(a, "mse", d), lb = trainEpoch(b, "mse", d);
    QCOMPARE(la, lb);
    QVERIFY(sameBits(a.getWeights(), b.getWeights()));
  }

  // CustomizedDenseLayer(30, relu) + CustomizedDenseLayer(1) against Dense with the same
  // initial weights, after an epoch.
  void customizedDenseLayerEqualsDense() {
    Dataset d;
    regressionData(320, d);
    Model a(makeSpec({inputNode("in", {8}),
                      node("c1", "CustomLayer", {"in"}, customDenseConfig("c1", 30, "relu")),
                      node("c2", "CustomLayer", {"c1"}, customDenseConfig("c2", 1, nullptr))},
                     {"in"}, {"c2"}),
            1);
    Model b(
        makeSpec({inputNode("in", {8}), denseNode("h", 30, "in", "relu"), denseNode("o", 1, "h")},
                 {"in"}, {"o"}),
        2);
    b.setWeights(a.getWeights());
    const auto la = trainEpoch(a, "mse", d), lb = trainEpoch(b, "mse", d);
    qInfo("loss after an epoch: custom %.9g, Dense %.9g; max weight difference %.3g", la[0], lb[0],
          maxAbsDiff(a.getWeights(), b.getWeights()));
    QVERIFY(std::abs(la[0] - lb[0]) <= 1e-6 * std::abs(lb[0]));
    QVERIFY(maxAbsDiff(a.getWeights(), b.getWeights()) < 1e-5);
  }

  // customized_mse = tf.reduce_mean(tf.square(y_pred - y_true)) trains bit for bit as "mse";
  // an expression the engine does not recognise trains through its derivative graph, equal to
  // float rounding.
  void customizedMseEqualsMse() {
    Dataset d;
    regressionData(320, d);
    auto spec = [] {
      return makeSpec(
          {inputNode("in", {8}), denseNode("h", 30, "in", "relu"), denseNode("o", 1, "h")}, {"in"},
          {"o"});
    };
    const json custom = {{"class_name", "ExpressionLoss"},
                         {"config",
                          {{"name", "customized_mse"},
                           {"expression", "tf.reduce_mean(tf.square(y_pred - y_true))"}}}};
    QVERIFY(dynamic_cast<ExpressionLoss&>(*makeLoss(custom)).builtin() != nullptr);
    Model a(spec(), 1), b(spec(), 1), c(spec(), 1);
    const auto la = trainEpoch(a, custom, d), lb = trainEpoch(b, "mse", d);
    QCOMPARE(la, lb);
    QVERIFY(sameBits(a.getWeights(), b.getWeights()));
    const json generic = {
        {"class_name", "ExpressionLoss"},
        {"config",
         {{"name", "customized_mse"},
          {"expression", "lambda y_true, y_pred: K.mean(tf.abs(y_pred - y_true) ** 2, axis=-1)"}}}};
    QVERIFY(dynamic_cast<ExpressionLoss&>(*makeLoss(generic)).builtin() == nullptr);
    const auto lc = trainEpoch(c, generic, d);
    QVERIFY(std::abs(lc[0] - lb[0]) <= 1e-5 * std::abs(lb[0]));
    QVERIFY(maxAbsDiff(c.getWeights(), b.getWeights()) < 1e-5);
  }

  // A loss that reads sample_weight gets the trainer's per-sample weights (sample_weight here,
  // class_weight likewise) and weighs the samples itself; Keras's sum_over_batch_size then
  // divides by the batch size: the same run as "mse" with those sample weights. One that does
  // not read them is weighed by the trainer, as every Keras loss.
  void lossExpressionReadsSampleWeight() {
    Dataset d;
    regressionData(320, d);
    Rng rng(11);
    for (int i = 0; i < 320; ++i) d.sampleWeight.push_back(float(rng.uniform(0.0f, 2.0f)));
    auto spec = [] {
      return makeSpec(
          {inputNode("in", {8}), denseNode("h", 16, "in", "tanh"), denseNode("o", 1, "h")}, {"in"},
          {"o"});
    };
    auto loss = [](const std::string& e) {
      return json{{"class_name", "ExpressionLoss"},
                  {"config", {{"name", "weighted"}, {"expression", e}}}};
    };
    Model ref(spec(), 1);
    const auto lr = trainEpoch(ref, "mse", d);
    const char* weighted[] = {
        "sample_weight * tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)",
        "tf.reduce_mean(sample_weight * K.mean(K.square(y_pred - y_true), axis=-1))",
        ("lambda y_true, y_pred, sample_weight: tf.reduce_sum(tf.reshape(sample_weight, "
         "[-1, 1]) * (y_pred - y_true) ** 2) / tf.reduce_sum(sample_weight * 0 + 1)"),
        // Not reading sample_weight: the trainer weighs it.
        "tf.reduce_mean(tf.abs(y_pred - y_true) ** 2, axis=-1)"};
    for (const char* e : weighted) {
      QVERIFY2(dynamic_cast<ExpressionLoss&>(*makeLoss(loss(e))).builtin() == nullptr, e);
      Model m(spec(), 1);
      const auto l = trainEpoch(m, loss(e), d);
      QVERIFY2(std::abs(l[0] - lr[0]) <= 1e-5 * std::abs(lr[0]), e);
      QVERIFY2(maxAbsDiff(m.getWeights(), ref.getWeights()) < 1e-5, e);
    }
    // The expression really gets the weights (not ones): sample_weight ** 2 * mse under
    // weights w trains as mse under weights w^2.
    Dataset squared = d;
    for (float& w : squared.sampleWeight) w *= w;
    Model sq(spec(), 1), refSq(spec(), 1);
    const auto ls = trainEpoch(
        sq, loss("sample_weight ** 2 * tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)"), d);
    const auto lrs = trainEpoch(refSq, "mse", squared);
    QVERIFY(std::abs(ls[0] - lrs[0]) <= 1e-5 * std::abs(lrs[0]));
    QVERIFY(maxAbsDiff(sq.getWeights(), refSq.getWeights()) < 1e-5);
    QVERIFY(std::abs(lrs[0] - lr[0]) > 1e-3 * std::abs(lr[0]));
    // The weights are really applied once: unweighted MSE differs from the weighted run.
    Dataset plain;
    regressionData(320, plain);
    Model u(spec(), 1);
    QVERIFY(std::abs(trainEpoch(u, "mse", plain)[0] - lr[0]) > 1e-3 * std::abs(lr[0]));
  }

  void customMetricAveragesLikeMeanMetricWrapper() {
    Dataset d;
    regressionData(100, d);
    Model m(makeSpec({inputNode("in", {8}), denseNode("o", 1, "in")}, {"in"}, {"o"}), 4);
    Trainer t(m, CompileOptions{{"mse"},
                                {},
                                {{"mae",
                                  {{"class_name", "ExpressionMetric"},
                                   {"config",
                                    {{"name", "my_mae"},
                                     {"expression", "K.mean(K.abs(y_pred - y_true), axis=-1)"}}}},
                                  {{"class_name", "ExpressionMetric"},
                                   {"config",
                                    {{"name", "batch_mae"},
                                     {"expression", "tf.reduce_mean(tf.abs(y_pred - y_true))"}}}}}},
                                sgd(0.0)});
    const Logs logs = t.evaluate(d, 32);
    QVERIFY(std::abs(findLog(logs, "my_mae").value() - findLog(logs, "mae").value()) < 1e-6);
    // A batch-level scalar counts for each sample of its batch: with equal batches, the same.
    QVERIFY(std::abs(findLog(logs, "batch_mae").value() - findLog(logs, "mae").value()) < 1e-6 * 4);
  }

  void lossShapeAndSyntaxErrors() {
    try {
      makeLoss({{"class_name", "ExpressionLoss"},
                {"config", {{"expression", "tf.reduce_mean(y_pred - y_tru)"}}}});
      QFAIL("accepted an unknown name");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("unknown name 'y_tru'") != std::string::npos);
    }
    Model m(makeSpec({inputNode("in", {8}), denseNode("o", 2, "in")}, {"in"}, {"o"}), 4);
    Dataset d;
    regressionData(40, d);  // labels (N, 1) against outputs (N, 2): y_pred @ y_true fails
    Trainer t(m, CompileOptions{{{{"class_name", "ExpressionLoss"},
                                  {"config", {{"expression", "tf.reduce_mean(y_pred @ y_true)"}}}}},
                                {},
                                {},
                                sgd(0.1)});
    FitOptions o;
    o.verbose = 0;
    try {
      t.fit(d, o);
      QFAIL("trained with a loss whose shapes do not fit");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("inner dimensions") != std::string::npos, e.what());
    }
  }

  void divisionByZeroStopsWithTerminateOnNaN() {
    Dataset d;
    regressionData(64, d);
    Model m(makeSpec({inputNode("in", {8}), denseNode("o", 1, "in"),
                      node("div", "Lambda", {"o"}, {{"expression", "x / (x - x)"}})},
                     {"in"}, {"div"}),
            1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    std::ostringstream out;
    TerminateOnNaN stop(&out);
    FitOptions o;
    o.epochs = 3, o.verbose = 0;
    History h = t.fit(d, o, {&stop});
    QVERIFY(h.epochs.size() <= 1);
    QVERIFY2(out.str().find("NaN") != std::string::npos || !h.stopReason.empty(),
             out.str().c_str());
  }

  void kerasJsonRoundTrip() {
    const ModelSpec spec =
        makeSpec({inputNode("in", {8}),
                  node("c1", "CustomLayer", {"in"}, customDenseConfig("c1", 6, "relu")),
                  node("sp", "Lambda", {"c1"}, {{"expression", "tf.nn.softplus(x)"}})},
                 {"in"}, {"sp"});
    Model a(spec, 3);
    const json j = spec.toKerasJson();
    const std::string text = j.dump();
    QVERIFY(text.find("\"expression\":\"tf.nn.softplus(x)\"") != std::string::npos);
    QVERIFY(text.find("\"call\":\"activation(x @ kernel + bias)\"") != std::string::npos);
    Model b(ModelSpec::fromKerasJson(json::parse(text)), 4);
    b.setWeights(a.getWeights());
    Dataset d;
    regressionData(10, d);
    Trainer ta(a, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    Trainer tb(b, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    const auto pa = ta.predict(d.x), pb = tb.predict(d.x);
    QVERIFY(sameBits(pa, pb));
  }
};

QTEST_APPLESS_MAIN(TestExpressionLayers)
#include "tst_engine_expressionlayers.moc"
