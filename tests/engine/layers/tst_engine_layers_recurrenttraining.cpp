// A recurrent model learns a sequence task (no timing assertions): "is the sum of the first half
// of the sequence greater than the sum of the second half", generated with a fixed seed, learned
// by Embedding-free LSTM and by Embedding(mask_zero) -> Bidirectional(GRU) on padded id
// sequences ("is the first id of the sequence greater than its last real id"), to well above
// chance on held-out data.
#include <QtTest>

#include "engine/core/Rng.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

using namespace tessel;

namespace {

NodeSpec node(const std::string& name, const std::string& cls, json cfg, const std::string& in) {
  NodeSpec n;
  n.name = name;
  n.className = cls;
  cfg["name"] = name;
  n.config = cfg;
  n.inputs = {in};
  return n;
}

double accuracyOf(Trainer& trainer, const Tensor& x, const Tensor& y) {
  Dataset test;
  test.x = {Array::fromTensor(x)};
  test.y = {Array::fromTensor(y)};
  const Logs logs = trainer.evaluate(test, 64);
  return findLog(logs, "accuracy").value_or(-1);
}

}  // namespace

class TestRecurrentTraining : public QObject {
  Q_OBJECT

 private slots:
  void lstmLearnsHalfSums() {
    const Index T = 8, train = 768, test = 256;
    Rng rng(42);
    auto make = [&](Index n, Tensor& x, Tensor& y) {
      x.resize({n, T, 1});
      y.resize({n, 1});
      for (Index i = 0; i < n; ++i) {
        double first = 0, second = 0;
        for (Index t = 0; t < T; ++t) {
          const float v = rng.uniform();
          x[i * T + t] = v;
          (t < T / 2 ? first : second) += v;
        }
        y[i] = first > second ? 1.0f : 0.0f;
      }
    };
    Tensor xt, yt, xv, yv;
    make(train, xt, yt);
    make(test, xv, yv);
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("x", {kNone, T, 1}),
                  node("lstm", "LSTM", {{"units", 16}}, "x"),
                  node("out", "Dense", {{"units", 1}, {"activation", "sigmoid"}}, "lstm")};
    spec.inputs = {"x"};
    spec.outputs = {"out"};
    Model model(spec, 7);
    Trainer trainer(
        model, CompileOptions{{"binary_crossentropy"},
                              {},
                              {{"accuracy"}},
                              {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}});
    const double before = accuracyOf(trainer, xv, yv);
    Dataset data;
    data.x = {Array::fromTensor(xt)};
    data.y = {Array::fromTensor(yt)};
    FitOptions fit;
    fit.epochs = 12, fit.batchSize = 32, fit.verbose = 0, fit.seed = 3;
    trainer.fit(data, fit);
    const double after = accuracyOf(trainer, xv, yv);
    qInfo("LSTM half sums: held-out accuracy %.3f before, %.3f after 12 epochs", before, after);
    QVERIFY2(after > 0.85, qPrintable(QString("accuracy %1").arg(after)));
  }

  void maskedBidirectionalGruLearnsFirstVsLast() {
    // Ids 1..9, real length 2..10 of T = 10, zero padded at the end: label = first id > last id.
    // Without the mask the "last" step would be padding; the mask makes it learnable.
    const Index T = 10, train = 768, test = 256, vocab = 10;
    Rng rng(5);
    auto make = [&](Index n, Tensor& x, Tensor& y) {
      x.resize({n, T});
      y.resize({n, 1});
      for (Index i = 0; i < n; ++i) {
        const Index len = 2 + Index(rng.below(T - 1));
        float first = 0, last = 0;
        for (Index t = 0; t < T; ++t) {
          const float id = t < len ? float(1 + rng.below(vocab - 1)) : 0.0f;
          x[i * T + t] = id;
          if (t == 0) first = id;
          if (t == len - 1) last = id;
        }
        if (first == last) x[i * T] = first = (first < 5 ? first + 1 : first - 1);
        y[i] = first > last ? 1.0f : 0.0f;
      }
    };
    Tensor xt, yt, xv, yv;
    make(train, xt, yt);
    make(test, xv, yv);
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("ids", {kNone, T}),
                  node("emb", "Embedding",
                       {{"input_dim", vocab}, {"output_dim", 8}, {"mask_zero", true}}, "ids"),
                  node("bi", "Bidirectional",
                       {{"layer", {{"class_name", "GRU"}, {"config", {{"units", 12}}}}}}, "emb"),
                  node("out", "Dense", {{"units", 1}, {"activation", "sigmoid"}}, "bi")};
    spec.inputs = {"ids"};
    spec.outputs = {"out"};
    Model model(spec, 9);
    Trainer trainer(
        model, CompileOptions{{"binary_crossentropy"},
                              {},
                              {{"accuracy"}},
                              {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}});
    Dataset data;
    data.x = {Array::fromTensor(xt)};
    data.y = {Array::fromTensor(yt)};
    FitOptions fit;
    fit.epochs = 15, fit.batchSize = 32, fit.verbose = 0, fit.seed = 4;
    trainer.fit(data, fit);
    const double after = accuracyOf(trainer, xv, yv);
    qInfo("Embedding(mask_zero) + Bidirectional(GRU): held-out accuracy %.3f", after);
    QVERIFY2(after > 0.85, qPrintable(QString("accuracy %1").arg(after)));
  }
};

QTEST_APPLESS_MAIN(TestRecurrentTraining)
#include "tst_engine_layers_recurrenttraining.moc"
