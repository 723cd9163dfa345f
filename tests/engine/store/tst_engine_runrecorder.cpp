#include <QtTest>

#include <cmath>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {

// Input(3) -> Dense(4, tanh) -> Dense(1): small enough to train in milliseconds.
ModelSpec smallSpec() {
  json topology = {{"class_name", "Functional"},
                   {"config",
                    {{"name", "small"},
                     {"layers",
                      {{{"class_name", "InputLayer"},
                        {"name", "input_1"},
                        {"config", {{"name", "input_1"}, {"batch_input_shape", {nullptr, 3}}}},
                        {"inbound_nodes", json::array()}},
                       {{"class_name", "Dense"},
                        {"name", "dense"},
                        {"config", {{"name", "dense"}, {"units", 4}, {"activation", "tanh"}}},
                        {"inbound_nodes", {{{"input_1", 0, 0, json::object()}}}}},
                       {{"class_name", "Dense"},
                        {"name", "dense_1"},
                        {"config", {{"name", "dense_1"}, {"units", 1}}},
                        {"inbound_nodes", {{{"dense", 0, 0, json::object()}}}}}}},
                     {"input_layers", {{"input_1", 0, 0}}},
                     {"output_layers", {{"dense_1", 0, 0}}}}}};
  return ModelSpec::fromKerasJson(topology);
}

Dataset regressionData(Index n) {
  Dataset d;
  Array x(DType::Float32, {n, 3}), y(DType::Float32, {n, 1});
  auto* xp = reinterpret_cast<float*>(x.bytes());
  auto* yp = reinterpret_cast<float*>(y.bytes());
  Rng rng(3);
  for (Index i = 0; i < n; ++i) {
    for (int j = 0; j < 3; ++j) xp[i * 3 + j] = rng.uniform(-1, 1);
    yp[i] = 0.5f * xp[i * 3] - 0.25f * xp[i * 3 + 1] + 0.1f;
  }
  d.x.push_back(x);
  d.y.push_back(y);
  return d;
}

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
    auto spec = smallSpec();
    auto modelId = project.addModel("small", spec.toKerasJson());
    Dataset data = regressionData(64);
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

  void mismatchedCheckpointIsRefused() {
    auto spec = smallSpec();
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
    auto spec = smallSpec();
    RunRecord rec;
    rec.modelId = project.addModel("small", spec.toKerasJson());
    auto runId = project.createRun(rec);
    Model model(spec, 1);
    CompileOptions c;
    c.losses = {"mse"};
    c.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 1e30}}}};
    Trainer trainer(model, c);
    RunRecorder recorder(project, runId, trainer);
    Dataset data = regressionData(64);
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
