#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/core/Error.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

ModelSpec linearSpec() {
  return makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"});
}

// Records everything the trainer reports.
struct Recorder : TrainObserver {
  int begins = 0, batches = 0, epochsEnded = 0, finished = 0, stepsPerEpoch = 0;
  std::vector<int> epochBegins;
  std::string failure;
  std::vector<Logs> epochLogs;
  void onTrainBegin(const FitOptions&, int steps) override { ++begins, stepsPerEpoch = steps; }
  void onEpochBegin(int e) override { epochBegins.push_back(e); }
  void onBatchEnd(int, int, const Logs&) override { ++batches; }
  void onEpochEnd(int, const Logs& l) override { ++epochsEnded, epochLogs.push_back(l); }
  void onFinished(const History&) override { ++finished; }
  void onFailed(const std::string& m) override { failure = m; }
};

std::vector<std::string> keysOf(const Logs& logs) {
  std::vector<std::string> k;
  for (auto& [name, v] : logs) k.push_back(name);
  return k;
}

// Softmax classifier data: x (n, 2), sparse labels (n,) in {0, 1, 2}, one-hot (n, 3).
void classData(Index n, Array& x, Array& sparse, Array& onehot) {
  Rng rng(5);
  Tensor tx({n, 2}), ts({n}), to({n, 3});
  for (Index i = 0; i < n; ++i) {
    tx[2 * i] = rng.uniform(-1, 1), tx[2 * i + 1] = rng.uniform(-1, 1);
    int c = static_cast<int>(i % 3);
    ts[i] = float(c);
    for (int j = 0; j < 3; ++j) to[3 * i + j] = j == c ? 1.0f : 0.0f;
  }
  x = Array::fromTensor(tx), sparse = Array::fromTensor(ts), onehot = Array::fromTensor(to);
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private slots:
  void linearRegressionConverges() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.2)});
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(256, d.x[0], d.y[0]);
    FitOptions o;
    o.epochs = 60, o.batchSize = 16, o.verbose = 0;
    History h = t.fit(d, o);
    QCOMPARE(h.epochs.size(), size_t(60));
    QCOMPARE(h.epochs.front(), 0);
    QVERIFY(h["loss"].back() < 1e-6);
    QVERIFY(h["loss"].back() < h["loss"].front());
    auto& k = m.layer("d")->variables()[0].value;
    auto& b = m.layer("d")->variables()[1].value;
    QVERIFY(std::fabs(k[0] - 2.0f) < 1e-3);
    QVERIFY(std::fabs(k[1] + 3.0f) < 1e-3);
    QVERIFY(std::fabs(b[0] - 0.5f) < 1e-3);
    QCOMPARE(h.keys, std::vector<std::string>{"loss"});
  }

  // The loss logged for an epoch is the batch-size weighted mean of the batch losses; with
  // learning rate 0 every batch sees the same weights, so it equals evaluate().
  void lossIsWeightedMeanOverBatches() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.0)});
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(50, d.x[0], d.y[0]);  // batches 32 + 18: the last partial batch is included
    FitOptions o;
    o.verbose = 0;
    Recorder r;
    History h = t.fit(d, o, {}, &r);
    QCOMPARE(r.stepsPerEpoch, 2);
    QCOMPARE(r.batches, 2);
    Logs e = t.evaluate(d, 7);
    QCOMPARE(keysOf(e), std::vector<std::string>{"loss"});
    QVERIFY(std::fabs(h["loss"][0] - e[0].second) < 1e-5 * e[0].second);
    // evaluate by hand: mean of squared errors of the prediction.
    auto pred = t.predict(d.x, 5);
    Tensor y = d.y[0].toTensor();
    double s = 0;
    for (Index i = 0; i < 50; ++i) s += std::pow(double(pred[0][i]) - y[i], 2);
    QVERIFY(std::fabs(s / 50 - e[0].second) < 1e-5 * e[0].second);
  }

  // Two identical heads on the input train exactly as the one-output model; the total loss is
  // the loss-weighted sum of the per-output losses, which are named "<output>_loss".
  void oneVersusTwoOutputs() {
    Dataset d1;
    d1.x.resize(1), d1.y.resize(1);
    linearData(100, d1.x[0], d1.y[0]);
    Model one(linearSpec(), 1);
    setDense(one, "d", {0.1f, 0.2f}, {0.0f});
    Trainer t1(one, CompileOptions{{"mse"}, {}, {}, sgd(0.05)});
    FitOptions o;
    o.epochs = 3, o.batchSize = 10, o.seed = 7, o.verbose = 0;
    History h1 = t1.fit(d1, o);

    Model two(makeSpec({inputNode("x", {2}), denseNode("a", 1, "x"), denseNode("b", 1, "x")}, {"x"},
                       {"a", "b"}));
    setDense(two, "a", {0.1f, 0.2f}, {0.0f});
    setDense(two, "b", {0.1f, 0.2f}, {0.0f});
    Trainer t2(two, CompileOptions{{"mse"}, {0.3, 0.7}, {}, sgd(0.05 / 0.3)});
    Dataset d2 = d1;
    d2.y.push_back(d1.y[0]);
    History h2 = t2.fit(d2, o);
    QCOMPARE(h2.keys, (std::vector<std::string>{"loss", "a_loss", "b_loss"}));
    for (int e = 0; e < 3; ++e) {
      // Head a sees lr*0.3 = 0.05: the same trajectory as the one-output model.
      QVERIFY(std::fabs(h2["a_loss"][e] - h1["loss"][e]) < 1e-5 + 1e-4 * h1["loss"][e]);
      QVERIFY(std::fabs(h2["loss"][e] - (0.3 * h2["a_loss"][e] + 0.7 * h2["b_loss"][e])) <
              1e-6 + 1e-5 * h2["loss"][e]);
    }
    {
      // Same trajectory up to rounding (lr 0.05/0.3 * 0.3 is not exactly 0.05 in floating point).
      auto a = two.layer("a")->variables()[0].value.toVector();
      auto d = one.layer("d")->variables()[0].value.toVector();
      QCOMPARE(a.size(), d.size());
      for (size_t i = 0; i < a.size(); ++i) QVERIFY(std::fabs(a[i] - d[i]) < 1e-5f);
    }
    QVERIFY_THROWS_EXCEPTION(Error, t2.fit(d1, o));  // one label array for two outputs
  }

  // validation_split takes the last samples, before shuffling: make the last 20% unlearnable.
  void validationSplitTakesLastSamples() {
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(100, d.x[0], d.y[0]);
    Tensor y = d.y[0].toTensor();
    for (Index i = 80; i < 100; ++i) y[i] = 100.0f;
    d.y[0] = Array::fromTensor(y);
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {{"mae"}}, sgd(0.2)});
    FitOptions o;
    o.epochs = 40, o.batchSize = 8, o.validationSplit = 0.2, o.verbose = 0;
    Recorder r;
    History h = t.fit(d, o, {}, &r);
    QCOMPARE(r.stepsPerEpoch, 10);  // 80 training samples
    QCOMPARE(h.keys, (std::vector<std::string>{"loss", "mae", "val_loss", "val_mae"}));
    QVERIFY(h["loss"].back() < 1e-4);      // the first 80 are learnt exactly
    QVERIFY(h["val_loss"].back() > 5000);  // the last 20 (y = 100) were never trained on
    Dataset last;
    last.x = {d.x[0].rowsRange(80, 20)};
    last.y = {d.y[0].rowsRange(80, 20)};
    Logs e = t.evaluate(last);
    QVERIFY(std::fabs(e[0].second - h["val_loss"].back()) < 1e-4 * e[0].second);
    QVERIFY(std::fabs(e[1].second - h["val_mae"].back()) < 1e-4 * e[1].second);
    o.validationSplit = 0.999;
    QVERIFY_THROWS_EXCEPTION(Error, t.fit(d, o));
  }

  // sample_weight and class_weight multiply the per-sample losses; the mean divides by the
  // batch size (Keras sum_over_batch_size). lr = 0 keeps the weights fixed.
  void sampleAndClassWeights() {
    Array x, sparse, onehot;
    classData(12, x, sparse, onehot);
    for (const char* lossName : {"sparse_categorical_crossentropy", "categorical_crossentropy"}) {
      const bool isSparse = std::string(lossName).rfind("sparse", 0) == 0;
      Model m(makeSpec({inputNode("x", {2}), denseNode("d", 3, "x", "softmax")}, {"x"}, {"d"}), 3);
      Trainer t(m, CompileOptions{{lossName}, {}, {}, sgd(0.0)});
      Dataset d;
      d.x = {x};
      d.y = {isSparse ? sparse : onehot};
      for (Index i = 0; i < 12; ++i) d.sampleWeight.push_back(0.5f + 0.25f * float(i % 4));
      auto p = t.predict(d.x)[0];
      const double cw[3] = {1.0, 2.0, 0.5};
      double plain = 0, sw = 0, both = 0;
      for (Index i = 0; i < 12; ++i) {
        const int c = int(i % 3);
        const double l = -std::log(double(p[3 * i + c]));
        plain += l, sw += d.sampleWeight[i] * l, both += d.sampleWeight[i] * cw[c] * l;
      }
      Logs e = t.evaluate(d);
      QVERIFY(std::fabs(e[0].second - sw / 12) < 1e-5);
      FitOptions o;
      o.batchSize = 5, o.shuffle = false, o.verbose = 0;
      o.classWeight = {{0, 1.0}, {1, 2.0}, {2, 0.5}};
      History h = t.fit(d, o);
      QVERIFY(std::fabs(h["loss"][0] - both / 12) < 1e-5);
      d.sampleWeight.clear();
      o.classWeight.clear();
      h = t.fit(d, o);
      QVERIFY(std::fabs(h["loss"][0] - plain / 12) < 1e-5);
      o.classWeight = {{0, 1.0}, {2, 0.5}};  // keys must be 0..max
      QVERIFY_THROWS_EXCEPTION(Error, t.fit(d, o));
    }
  }

  void historyNamesAsKeras() {
    Array x, sparse, onehot;
    classData(30, x, sparse, onehot);
    {
      Model m(makeSpec({inputNode("x", {2}), denseNode("d", 3, "x", "softmax")}, {"x"}, {"d"}));
      Trainer t(m, CompileOptions{{"sparse_categorical_crossentropy"}, {}, {{"accuracy"}}, "adam"});
      FitOptions o;
      o.epochs = 2, o.validationSplit = 0.2;
      std::ostringstream out;
      o.out = &out;
      History h = t.fit({{x}, {sparse}, {}}, o);
      QCOMPARE(h.keys, (std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"}));
      QCOMPARE(h.epochs, (std::vector<int>{0, 1}));
      const std::string text = out.str();
      QVERIFY2(text.find("Epoch 1/2\n1/1 - ") == 0, text.c_str());
      QVERIFY(text.find(" - loss: ") != std::string::npos);
      QVERIFY(text.find(" - val_accuracy: ") != std::string::npos);
      QVERIFY(text.find("Epoch 2/2\n") != std::string::npos);
      Logs e = t.evaluate({{x}, {sparse}, {}});
      QCOMPARE(keysOf(e), (std::vector<std::string>{"loss", "accuracy"}));
    }
    {
      Model m(makeSpec(
          {inputNode("x", {2}), denseNode("cls", 3, "x", "softmax"), denseNode("reg", 1, "x")},
          {"x"}, {"cls", "reg"}));
      Trainer t(
          m, CompileOptions{
                 {"sparse_categorical_crossentropy", "mse"}, {}, {{"accuracy"}, {"mae"}}, "adam"});
      FitOptions o;
      o.epochs = 1, o.validationSplit = 0.2, o.verbose = 0;
      Tensor r({30, 1}, 0.5f);
      History h = t.fit({{x}, {sparse, Array::fromTensor(r)}, {}}, o);
      QCOMPARE(h.keys, (std::vector<std::string>{
                           "loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae", "val_loss",
                           "val_cls_loss", "val_reg_loss", "val_cls_accuracy", "val_reg_mae"}));
      auto p = t.predict({x}, 7);
      QCOMPARE(p.size(), size_t(2));
      QCOMPARE(p[0].shape(), (Shape{30, 3}));
      QCOMPARE(p[1].shape(), (Shape{30, 1}));
    }
  }

  void badLabelsAreClearErrors() {
    Array x, sparse, onehot;
    classData(12, x, sparse, onehot);
    Tensor bad = sparse.toTensor();
    bad[4] = 7;  // class 7 of 3
    Model m(makeSpec({inputNode("x", {2}), denseNode("d", 3, "x", "softmax")}, {"x"}, {"d"}));
    Trainer t(m, CompileOptions{{"sparse_categorical_crossentropy"}, {}, {}, "adam"});
    FitOptions o;
    o.verbose = 0;
    QVERIFY_THROWS_EXCEPTION(Error, t.fit({{x}, {Array::fromTensor(bad)}, {}}, o));
    QVERIFY_THROWS_EXCEPTION(Error, t.fit({{x}, {sparse}, {1.0f, 2.0f}}, o));  // sw count
    QVERIFY_THROWS_EXCEPTION(Error, Trainer(m, CompileOptions{{"no_such_loss"}, {}, {}, "adam"}));
  }

  // A huge learning rate makes the loss blow up: training stops with a clear message, the
  // weights are restored to the last good epoch end and are finite.
  void nanLossStopsAndRestores() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(1e18)});
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(64, d.x[0], d.y[0]);
    auto initial = m.getWeights();
    FitOptions o;
    o.epochs = 5, o.batchSize = 4, o.verbose = 0;
    Recorder r;
    History h = t.fit(d, o, {}, &r);
    QVERIFY2(r.failure.find("loss became ") == 0, r.failure.c_str());
    QVERIFY(r.failure.find("at epoch 1, batch ") != std::string::npos);
    QVERIFY(r.failure.find("weights restored to their initial values") != std::string::npos);
    QCOMPARE(h.stopReason, r.failure);
    QCOMPARE(r.finished, 0);
    QVERIFY(allFinite(m));
    QCOMPARE(m.getWeights()[0].toVector(), initial[0].toVector());
    QVERIFY(h.epochs.empty());

    // Fails in epoch 2 (a callback raises the learning rate): restored to the end of epoch 1.
    Model m2(linearSpec(), 1);
    Trainer t2(m2, CompileOptions{{"mse"}, {}, {}, sgd(0.01)});
    struct Explode : Callback {
      std::vector<Tensor> atEpoch1End;
      void onEpochBegin(int epoch) override {
        if (epoch == 1) trainer->optimizer().setLearningRate(1e18);
      }
      void onEpochEnd(int epoch, const Logs&) override {
        if (epoch == 0) atEpoch1End = trainer->model().getWeights();
      }
    } explode;
    Recorder r2;
    h = t2.fit(d, o, {&explode}, &r2);
    QVERIFY2(r2.failure.find("at epoch 2, batch ") != std::string::npos, r2.failure.c_str());
    QVERIFY(r2.failure.find("weights restored to the end of epoch 1") != std::string::npos);
    QCOMPARE(h.epochs, std::vector<int>{0});
    QVERIFY(allFinite(m2));
    QCOMPARE(m2.getWeights()[0].toVector(), explode.atEpoch1End[0].toVector());
    QCOMPARE(m2.getWeights()[1].toVector(), explode.atEpoch1End[1].toVector());
  }

  // pause() blocks between batches until resume(); requestStop() ends fit after the batch.
  void pauseResumeStopFromAnotherThread() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.01)});
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(64, d.x[0], d.y[0]);
    struct Obs : TrainObserver {
      Trainer* t = nullptr;
      std::atomic<int> batches{0};
      std::mutex mu;
      std::condition_variable cv;
      bool pausedAt5 = false;
      void onBatchEnd(int, int, const Logs&) override {
        if (++batches == 5) {
          t->pause();
          std::lock_guard<std::mutex> lock(mu);
          pausedAt5 = true;
          cv.notify_all();
        }
      }
    } obs;
    obs.t = &t;
    FitOptions o;
    o.epochs = 100000, o.batchSize = 4, o.verbose = 0;
    History h;
    std::thread worker([&] { h = t.fit(d, o, {}, &obs); });
    {
      std::unique_lock<std::mutex> lock(obs.mu);
      obs.cv.wait(lock, [&] { return obs.pausedAt5; });
    }
    QVERIFY(t.isPaused());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    QCOMPARE(obs.batches.load(), 5);  // blocked between batches
    t.resume();
    while (obs.batches.load() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    t.requestStop();
    worker.join();
    QVERIFY(obs.batches.load() >= 50);
    QVERIFY(h.epochs.size() < 100000);
    QCOMPARE(h.stopReason, std::string("training stopped on request"));
    // A stop while paused also wakes the training thread.
    obs.batches = 0;
    obs.pausedAt5 = false;
    std::thread worker2([&] { h = t.fit(d, o, {}, &obs); });
    {
      std::unique_lock<std::mutex> lock(obs.mu);
      obs.cv.wait(lock, [&] { return obs.pausedAt5; });
    }
    t.requestStop();
    worker2.join();
    QCOMPARE(obs.batches.load(), 5);
    t.resume();
  }

  void initialEpochAndStepsPerEpoch() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.01)});
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(40, d.x[0], d.y[0]);
    FitOptions o;
    o.epochs = 5, o.initialEpoch = 3, o.batchSize = 8, o.stepsPerEpoch = 3, o.verbose = 0;
    Recorder r;
    History h = t.fit(d, o, {}, &r);
    QCOMPARE(h.epochs, (std::vector<int>{3, 4}));
    QCOMPARE(r.epochBegins, (std::vector<int>{3, 4}));
    QCOMPARE(r.batches, 6);
    QCOMPARE(t.optimizer().iterations(), 6LL);
  }

  void compileOptionsTrainingConfig() {
    json tc = {
        {"loss", {{"cls", "sparse_categorical_crossentropy"}, {"reg", "mse"}}},
        {"metrics", {{"cls", {"accuracy"}}, {"reg", "mae"}}},
        {"loss_weights", {{"cls", 1.0}, {"reg", 0.5}}},
        {"optimizer_config", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}}};
    auto c = CompileOptions::fromTrainingConfig(tc, {"cls", "reg"});
    QCOMPARE(c.losses.size(), size_t(2));
    QCOMPARE(c.losses[1], json("mse"));
    QCOMPARE(c.lossWeights, (std::vector<double>{1.0, 0.5}));
    QCOMPARE(c.metrics.size(), size_t(2));
    QCOMPARE(c.metrics[1], std::vector<json>{json("mae")});
    QCOMPARE(c.optimizer["class_name"], json("Adam"));
    json back = c.toTrainingConfig();
    QCOMPARE(back["loss"], json({"sparse_categorical_crossentropy", "mse"}));
    QCOMPARE(back["loss_weights"], json({1.0, 0.5}));
    auto again = CompileOptions::fromTrainingConfig(back);
    QCOMPARE(again.losses, c.losses);
    QCOMPARE(again.metrics, c.metrics);
    QCOMPARE(again.lossWeights, c.lossWeights);
    QCOMPARE(again.optimizer, c.optimizer);

    auto simple = CompileOptions::fromTrainingConfig(
        {{"loss", "mse"}, {"metrics", {"mae"}}, {"loss_weights", nullptr}});
    QCOMPARE(simple.losses, std::vector<json>{json("mse")});
    QCOMPARE(simple.metrics.size(), size_t(1));
    QCOMPARE(simple.optimizer, json("rmsprop"));
    json sb = simple.toTrainingConfig();
    QCOMPARE(sb["loss"], json("mse"));
    QCOMPARE(sb["optimizer_config"]["class_name"], json("RMSprop"));
    QVERIFY_THROWS_EXCEPTION(Error, CompileOptions::fromTrainingConfig({{"metrics", {"mae"}}}));
    QVERIFY_THROWS_EXCEPTION(Error, CompileOptions::fromTrainingConfig(tc));  // names unknown
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_engine_trainer.moc"
