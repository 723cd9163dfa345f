#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/callbacks/CSVLogger.h"
#include "engine/callbacks/EarlyStopping.h"
#include "engine/callbacks/LearningRateScheduler.h"
#include "engine/callbacks/ModelCheckpoint.h"
#include "engine/callbacks/ReduceLROnPlateau.h"
#include "engine/callbacks/TerminateOnNaN.h"
#include "engine/core/Error.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

ModelSpec linearSpec() {
  return makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"});
}

Dataset linearDataset(Index n) {
  Dataset d;
  d.x.resize(1), d.y.resize(1);
  linearData(n, d.x[0], d.y[0]);
  return d;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

class TestCallbacks : public QObject {
  Q_OBJECT
 private slots:
  // Driven by hand: patience counts epochs without improvement; restore_best_weights puts back
  // the weights of the best epoch when stopping.
  void earlyStoppingPatienceAndRestore() {
    Model m(linearSpec());
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, "sgd"});
    EarlyStopping::Options o;
    o.patience = 2;
    o.restoreBestWeights = true;
    o.out = nullptr;
    EarlyStopping es(o);
    es.trainer = &t;
    es.onTrainBegin(FitOptions{}, 1);
    const double losses[] = {1.0, 0.5, 0.6, 0.55};
    for (int e = 0; e < 4; ++e) {
      auto w = m.getWeights();
      w[1].fill(float(e));  // bias = epoch number marks the weights
      m.setWeights(w);
      es.onEpochEnd(e, {{"loss", 9.0}, {"val_loss", losses[e]}});
      QCOMPARE(t.stopRequested(), e == 3);
    }
    QCOMPARE(es.stoppedEpoch(), 3);
    QCOMPARE(es.bestEpoch(), 1);
    QCOMPARE(m.layer("d")->variables()[1].value[0], 1.0f);  // restored to epoch 1 (0-based)
    t.requestStop();

    // "auto" means max for accuracy; min_delta counts as no improvement.
    EarlyStopping::Options oa;
    oa.monitor = "val_accuracy";
    oa.minDelta = 0.1;
    oa.out = nullptr;
    Trainer t2(m, CompileOptions{{"mse"}, {}, {}, "sgd"});
    EarlyStopping acc(oa);
    acc.trainer = &t2;
    acc.onTrainBegin(FitOptions{}, 1);
    acc.onEpochEnd(0, {{"val_accuracy", 0.5}});
    QVERIFY(!t2.stopRequested());
    acc.onEpochEnd(1, {{"val_accuracy", 0.55}});  // +0.05 < min_delta: no improvement
    QVERIFY(t2.stopRequested());
    QCOMPARE(acc.best(), 0.5);
    EarlyStopping::Options bad;
    bad.mode = "sideways";
    QVERIFY_THROWS_EXCEPTION(Error, EarlyStopping{bad});
  }

  // With a learning rate of 0 the loss never improves: patience 2 stops after 3 epochs.
  void earlyStoppingInFit() {
    Model m(linearSpec());
    Trainer t(m,
              CompileOptions{
                  {"mse"}, {}, {}, {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.0}}}}});
    EarlyStopping::Options o;
    o.monitor = "loss";
    o.patience = 2;
    o.verbose = 1;
    std::ostringstream msg;
    o.out = &msg;
    EarlyStopping es(o);
    FitOptions f;
    f.epochs = 20, f.verbose = 0;
    History h = t.fit(linearDataset(64), f, {&es});
    QCOMPARE(h.epochs, (std::vector<int>{0, 1, 2}));
    QCOMPARE(msg.str(), std::string("Epoch 3: early stopping\n"));
    // The next fit starts afresh (the stop request does not linger).
    f.epochs = 1;
    QCOMPARE(t.fit(linearDataset(64), f).epochs.size(), size_t(1));
  }

  void reduceLrOnPlateau() {
    Model m(linearSpec());
    Trainer t(m,
              CompileOptions{
                  {"mse"}, {}, {}, {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.1}}}}});
    ReduceLROnPlateau::Options o;
    o.monitor = "loss";
    o.patience = 2;
    o.factor = 0.5;
    o.cooldown = 1;
    o.minLr = 0.03;
    o.out = nullptr;
    ReduceLROnPlateau r(o);
    r.trainer = &t;
    r.onTrainBegin(FitOptions{}, 1);
    const double loss[] = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    std::vector<double> lrs, logged;
    for (int e = 0; e < 8; ++e) {
      Logs logs{{"loss", loss[e]}};
      r.onEpochEndLogs(e, logs);
      logged.push_back(*findLog(logs, "lr"));
      lrs.push_back(t.optimizer().learningRate());
    }
    // Keras 2 order: the cooldown counter is decremented first, so the epoch that ends the
    // cooldown already counts. e0 best; e1 wait 1; e2 wait 2 → 0.05, cooldown 1; e3 cooldown
    // ends, wait 1; e4 wait 2 → max(0.025, 0.03) = 0.03; then lr is at min_lr.
    const std::vector<double> want = {0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03};
    for (int e = 0; e < 8; ++e) QVERIFY(std::fabs(lrs[e] - want[e]) < 1e-12);
    QVERIFY(std::fabs(logged[2] - 0.1) < 1e-12);  // "lr" logged before the reduction
    QVERIFY(std::fabs(logged[3] - 0.05) < 1e-12);
    ReduceLROnPlateau::Options badFactor;
    badFactor.factor = 1.5;
    QVERIFY_THROWS_EXCEPTION(Error, ReduceLROnPlateau{badFactor});

    // In fit: "lr" becomes a history key.
    FitOptions f;
    f.epochs = 2, f.verbose = 0;
    ReduceLROnPlateau r2(o);
    History h = t.fit(linearDataset(32), f, {&r2});
    QCOMPARE(h.keys, (std::vector<std::string>{"loss", "lr"}));
  }

  void learningRateScheduler() {
    Model m(linearSpec());
    Trainer t(m,
              CompileOptions{
                  {"mse"}, {}, {}, {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.1}}}}});
    std::vector<double> seen;
    LearningRateScheduler s([&](int epoch, double lr) {
      seen.push_back(lr);
      return epoch < 1 ? lr : lr * 0.5;
    });
    FitOptions f;
    f.epochs = 3, f.verbose = 0;
    History h = t.fit(linearDataset(32), f, {&s});
    QCOMPARE(seen.size(), size_t(3));
    QVERIFY(std::fabs(seen[2] - 0.05) < 1e-12);
    QVERIFY(std::fabs(h["lr"][0] - 0.1) < 1e-12);
    QVERIFY(std::fabs(h["lr"][2] - 0.025) < 1e-12);
  }

  void modelCheckpointFormatsAndSavesBest() {
    Logs logs{{"loss", 0.12345}, {"val_loss", 0.5678}};
    QCOMPARE(ModelCheckpoint::formatPath("w-{epoch:02d}-{val_loss:.2f}.json", 3, logs),
             std::string("w-03-0.57.json"));
    QCOMPARE(ModelCheckpoint::formatPath("{epoch}/{loss:.3e}{{x}}", 12, logs),
             std::string("12/1.235e-01{x}"));
    QVERIFY_THROWS_EXCEPTION(Error, ModelCheckpoint::formatPath("{accuracy:.2f}", 1, logs));

    std::vector<std::pair<std::string, bool>> saved;
    ModelCheckpoint::Options o;
    o.filepath = "ckpt-{epoch:02d}.json";
    o.saveBestOnly = true;
    o.saveWeightsOnly = true;
    o.out = nullptr;
    ModelCheckpoint cp(o, [&](const std::string& p, bool w) { saved.emplace_back(p, w); });
    cp.onTrainBegin(FitOptions{}, 1);
    const double val[] = {0.5, 0.4, 0.45, 0.3};
    for (int e = 0; e < 4; ++e) cp.onEpochEnd(e, {{"val_loss", val[e]}});
    QCOMPARE(saved.size(), size_t(3));
    QCOMPARE(saved[0].first, std::string("ckpt-01.json"));
    QCOMPARE(saved[1].first, std::string("ckpt-02.json"));
    QCOMPARE(saved[2].first, std::string("ckpt-04.json"));
    QVERIFY(saved[2].second);

    saved.clear();
    o.saveBestOnly = false;
    o.monitor = "val_accuracy";
    ModelCheckpoint all(o, [&](const std::string& p, bool) { saved.emplace_back(p, false); });
    all.onTrainBegin(FitOptions{}, 1);
    for (int e = 0; e < 3; ++e) all.onEpochEnd(e, {});
    QCOMPARE(saved.size(), size_t(3));
  }

  void csvLoggerAsKeras() {
    const std::string path = QDir::tempPath().toStdString() + "/tessel_csvlogger_test.csv";
    std::remove(path.c_str());
    Model m(linearSpec());
    Trainer t(m, CompileOptions{{"mse"}, {}, {{"mae"}}, "sgd"});
    FitOptions f;
    f.epochs = 2, f.verbose = 0, f.validationSplit = 0.25;
    CSVLogger log(path);
    History h = t.fit(linearDataset(40), f, {&log});
    std::string text = readFile(path);
    std::istringstream lines(text);
    std::string header, row0, row1, extra;
    std::getline(lines, header), std::getline(lines, row0), std::getline(lines, row1);
    QCOMPARE(header, std::string("epoch,loss,mae,val_loss,val_mae"));
    QVERIFY(row0.rfind("0,", 0) == 0);
    QVERIFY(row1.rfind("1,", 0) == 0);
    QCOMPARE(std::stod(row1.substr(2, row1.find(',', 2) - 2)), h["loss"][1]);  // exact repr
    QVERIFY(!std::getline(lines, extra));

    CSVLogger more(path, ";", true);  // append: no second header
    f.epochs = 1;
    t.fit(linearDataset(40), f, {&more});
    text = readFile(path);
    QCOMPARE(QString::fromStdString(text).count("epoch"), 1);
    QVERIFY(text.find("\n0;") != std::string::npos);
    std::remove(path.c_str());
  }

  void terminateOnNaN() {
    Model m(linearSpec());
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, "sgd"});
    TerminateOnNaN cb(nullptr);
    cb.trainer = &t;
    cb.onBatchEnd(0, 0, {{"loss", 1.0}});
    QVERIFY(!t.stopRequested());
    cb.onBatchEnd(0, 1, {{"loss", std::nan("")}});
    QVERIFY(t.stopRequested());
    QVERIFY(cb.terminated());
  }
};

QTEST_APPLESS_MAIN(TestCallbacks)
#include "tst_engine_callbacks.moc"
