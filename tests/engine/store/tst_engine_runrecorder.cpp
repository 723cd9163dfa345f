#include <QtTest>

#include <cmath>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/TinyModel.h"

using namespace tessel;
using namespace tessel::testutil;
namespace fs = std::filesystem;

namespace {

CompileOptions compileAdam() {
  CompileOptions c;
  c.losses = {"mse"};
  c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}};
  return c;
}

}  // namespace

class TestRunRecorder : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void recordsRunAndResumesExactly() {
    std::string path = dir_.filePath("r.tessel").toStdString();
    auto project = Project::create(path);
    auto spec = ModelSpec::fromKerasJson(tinyTopology(4, "small"));
    auto modelId = project.addModel("small", spec.toKerasJson());
    Dataset data = tinyData(64, 3, 0.0f);
    FitOptions fit;
    fit.epochs = 3;
    fit.batchSize = 8;
    fit.validationSplit = 0.25;
    fit.verbose = 0;
    fit.seed = 5;

    // Reference: 5 epochs straight through.
    Model refModel(spec, 11);
    Trainer ref(refModel, compileAdam());
    FitOptions five = fit;
    five.epochs = 5;
    History refHistory = ref.fit(data, five);

    // Recorded: 3 epochs, then resume from the "last" checkpoint for 2 more.
    RunRecord rec;
    rec.modelId = modelId;
    rec.name = "run";
    rec.spec = spec.toKerasJson();
    auto runId = project.createRun(rec);
    {
      Model model(spec, 11);
      Trainer trainer(model, compileAdam());
      RunRecorder recorder(project, runId, trainer);
      trainer.fit(data, fit, {}, &recorder);
    }
    auto run = *project.run(runId);
    QCOMPARE(run.status, RunStatus::Finished);
    QCOMPARE(run.epochsDone, 3);
    // 48 training samples / 8 = 6 batches per epoch, one "loss" row each.
    QCOMPARE(project.batchMetrics(runId).size(), size_t(18));
    auto em = project.epochMetrics(runId);
    QCOMPARE(em.size(), size_t(3 * 2));  // loss, val_loss per epoch
    auto last = project.checkpoint(runId, "last");
    QVERIFY(last);
    QCOMPARE(last->epoch, 2);
    QVERIFY(project.checkpoint(runId, "best"));
    bool sawBest = false;
    for (const auto& e : project.events(runId)) sawBest |= e.kind == "best_epoch";
    QVERIFY(sawBest);

    project.setRunStatus(runId, RunStatus::Interrupted);
    {
      Model model(spec, 99);  // different init: everything must come from the checkpoint
      Trainer trainer(model, compileAdam());
      restoreCheckpoint(trainer, *last);
      QCOMPARE(trainer.optimizer().iterations(), 18LL);
      RunRecorder recorder(project, runId, trainer);
      FitOptions more = fit;
      more.initialEpoch = 3;
      more.epochs = 5;
      History h = trainer.fit(data, more, {}, &recorder);
      // Same numbers as the uninterrupted run (shuffle order depends on seed and epoch).
      QCOMPARE(h["loss"].size(), size_t(2));
      for (int i = 0; i < 2; ++i)
        QVERIFY2(std::fabs(h["loss"][i] - refHistory["loss"][3 + i]) < 1e-6,
                 qPrintable(QString("epoch %1: %2 vs %3")
                                .arg(3 + i)
                                .arg(h["loss"][i])
                                .arg(refHistory["loss"][3 + i])));
    }
    QCOMPARE(project.run(runId)->epochsDone, 5);
    QCOMPARE(project.epochMetrics(runId).size(), size_t(5 * 2));
    QCOMPARE(project.integrityCheck(), std::string("ok"));
  }

  // Stopped in the middle of its second epoch: the epoch still ends as in Keras (counted,
  // checkpointed, resumed after) and a partial_epoch event records how far it got.
  void stopMidEpochRecordsThePartialEpoch() {
    std::string path = dir_.filePath("partial.tessel").toStdString();
    auto project = Project::create(path);
    auto spec = ModelSpec::fromKerasJson(tinyTopology(4, "small"));
    RunRecord rec;
    rec.modelId = project.addModel("small", spec.toKerasJson());
    rec.name = "run";
    rec.spec = spec.toKerasJson();
    auto runId = project.createRun(rec);
    Model model(spec, 11);
    Trainer trainer(model, compileAdam());
    struct StopAt : Callback {
      Trainer* trainer;
      void onBatchEnd(int epoch, int batch, const Logs&) override {
        if (epoch == 1 && batch == 2) trainer->requestStop();
      }
    } stop;
    stop.trainer = &trainer;
    FitOptions fit;
    fit.epochs = 3;
    fit.batchSize = 8;  // 64 samples: 8 batches an epoch
    fit.verbose = 0;
    {
      RunRecorder recorder(project, runId, trainer);
      trainer.fit(tinyData(64, 3, 0.0f), fit, {&stop}, &recorder);
    }
    const auto run = *project.run(runId);
    QCOMPARE(run.status, RunStatus::Stopped);
    QCOMPARE(run.epochsDone, 2);  // the partial epoch ended (and is checkpointed)
    bool sawPartial = false;
    for (const auto& e : project.events(runId))
      if (e.kind == "partial_epoch") {
        sawPartial = true;
        QCOMPARE(e.epoch, 1);
        QCOMPARE(e.payload.at("batches").get<int>(), 3);
        QCOMPARE(e.payload.at("steps_per_epoch").get<int>(), 8);
      }
    QVERIFY(sawPartial);
  }

  void mismatchedCheckpointIsRefused() {
    auto spec = ModelSpec::fromKerasJson(tinyTopology(4, "small"));
    Model model(spec, 1);
    Trainer trainer(model, compileAdam());
    Checkpoint c = makeCheckpoint(trainer, "last", 0, 0);
    c.weights.resize(c.weights.size() / 2);
    QVERIFY_THROWS_EXCEPTION(Error, restoreCheckpoint(trainer, c));
    c = makeCheckpoint(trainer, "last", 0, 0);
    c.meta["weights"][0]["name"] = "other/kernel";
    QVERIFY_THROWS_EXCEPTION(Error, restoreCheckpoint(trainer, c));
  }

  void nanLossMarksRunFailed() {
    std::string path = dir_.filePath("nan.tessel").toStdString();
    auto project = Project::create(path);
    auto spec = ModelSpec::fromKerasJson(tinyTopology(4, "small"));
    RunRecord rec;
    rec.modelId = project.addModel("small", spec.toKerasJson());
    auto runId = project.createRun(rec);
    Model model(spec, 1);
    CompileOptions c;
    c.losses = {"mse"};
    c.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 1e30}}}};
    Trainer trainer(model, c);
    RunRecorder recorder(project, runId, trainer);
    Dataset data = tinyData(64, 3, 0.0f);
    FitOptions fit;
    fit.epochs = 5;
    fit.verbose = 0;
    trainer.fit(data, fit, {}, &recorder);
    QCOMPARE(project.run(runId)->status, RunStatus::Failed);
    QCOMPARE(project.events(runId).back().kind, std::string("nan"));
  }
};

QTEST_APPLESS_MAIN(TestRunRecorder)
#include "tst_engine_runrecorder.moc"
