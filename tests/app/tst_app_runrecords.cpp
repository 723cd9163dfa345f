// The command line (`tessel train PROJECT`) and the studio (compile panel + training controller,
// the data the studio builds for a model) write the same run record for the same settings: graph
// hash, engine version, data hash and settings JSON, on a one-layer Fashion-MNIST classifier for
// one epoch. Both end with the same test accuracy.
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "engine/data/FashionMnist.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "tests/app/CliTestUtil.h"
#include "ui/project/BuiltinData.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/TrainingController.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

// Dense(10, softmax) on the 784 pixels, with no training_config: the loss, metrics and optimizer
// are given on the command line and in the compile panel.
const char* kSoftmax = R"({"class_name": "Sequential", "config": {"name": "softmax", "layers": [
  {"class_name": "Dense", "config": {"name": "dense", "units": 10, "activation": "softmax",
                                     "batch_input_shape": [null, 784]}}]}})";

RunRecord onlyRun(const QString& path) {
  Project p = Project::open(path.toStdString(), /*readOnly=*/true);
  auto runs = p.runs();
  if (runs.size() != 1) throw Error("expected one run, found " + std::to_string(runs.size()));
  return runs.front();
}

// The "test" event's logs of a run.
json testEvent(const QString& path, std::int64_t runId) {
  Project p = Project::open(path.toStdString(), /*readOnly=*/true);
  for (const RunEvent& e : p.events(runId))
    if (e.kind == "test") return e.payload;
  return nullptr;
}

}  // namespace

class TestRunRecords : public QObject {
  Q_OBJECT
 private slots:
  void cliAndStudioWriteTheSameRecord() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    QTemporaryDir dir;
    const QString modelPath = dir.filePath("softmax.json");
    std::ofstream(modelPath.toStdString()) << kSoftmax;

    // The command line.
    const QString cliProject = dir.filePath("cli.tessel");
    QCOMPARE(runTessel({"new", cliProject}).code, 0);
    QCOMPARE(runTessel({"import", cliProject, modelPath}).code, 0);
    Run r =
        runTessel({"train", cliProject, "--data", "fashion-mnist", "--epochs", "1", "--batch-size",
                   "512", "--loss", "sparse_categorical_crossentropy", "--metrics", "accuracy",
                   "--optimizer", "adam", "--lr", "0.01", "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("Test: loss: "), qPrintable(r.out));
    const RunRecord cli = onlyRun(cliProject);

    // The studio: the compile panel's settings, the data the studio builds for the model.
    const ModelSpec spec = readModelFile(modelPath.toStdString()).spec;
    CompilePanel panel;
    panel.setModel(spec);
    panel.setCallbacksConfig(json::array());
    panel.lossBox(0)->setCurrentText("sparse_categorical_crossentropy");
    panel.setTrainingConfig(
        {{"loss", "sparse_categorical_crossentropy"},
         {"metrics", {"accuracy"}},
         {"optimizer_config", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}}});
    panel.epochsBox()->setValue(1);
    panel.batchSizeBox()->setValue(512);
    panel.validationSplitBox()->setValue(0);
    ui::BuiltinData data;
    std::optional<Dataset> validation, test;
    Dataset train = data.forModel(spec, json(), -1, &validation, &test);
    QVERIFY(validation && test);

    const QString studioProject = dir.filePath("studio.tessel");
    std::int64_t modelId = 0;
    {
      Project p = Project::create(studioProject.toStdString());
      modelId = p.addModel("softmax", spec.toKerasJson());
    }
    TrainingController controller;
    controller.setCallbacks(panel.callbacksConfig());
    controller.setDataSettings(data.last()->settings.toJson());
    controller.setTestData(test);
    FitOptions fit = panel.fitOptions();
    fit.validationData = validation;
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy failed(&controller, &TrainingController::failed);
    QSignalSpy tested(&controller, &TrainingController::testEvaluated);
    QVERIFY(controller.start(spec, panel.compileOptions(), train, fit, studioProject, modelId));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    const RunRecord studio = onlyRun(studioProject);

    // The record.
    QCOMPARE(studio.graphHash.size(), size_t(16));
    QCOMPARE(cli.graphHash, studio.graphHash);
    QCOMPARE(cli.engineVersion, std::string(TESSEL_VERSION));
    QCOMPARE(cli.engineVersion, studio.engineVersion);
    QCOMPARE(studio.dataHash.size(), size_t(16));
    QCOMPARE(cli.dataHash, studio.dataHash);
    QCOMPARE(QString::fromStdString(cli.settings.dump(1)),
             QString::fromStdString(studio.settings.dump(1)));
    QCOMPARE(cli.spec, studio.spec);
    QCOMPARE(cli.seed, studio.seed);
    QCOMPARE(cli.epochsDone, 1);
    QCOMPARE(studio.epochsDone, 1);
    QCOMPARE(cli.status, RunStatus::Finished);
    QCOMPARE(studio.status, RunStatus::Finished);
    // The settings are the RunSettings form, read back as written.
    QCOMPARE(RunSettings::fromJson(cli.settings, spec.outputs).toJson(), cli.settings);
    QCOMPARE(cli.settings["data"]["kind"], json("fashion_mnist"));

    // The same data and training: the same test numbers (Keras evaluate on the 10,000 test
    // images; threads may round the last digits differently).
    const json cliTest = testEvent(cliProject, cli.id),
               studioTest = testEvent(studioProject, studio.id);
    QVERIFY(cliTest.is_object() && studioTest.is_object());
    QCOMPARE(cliTest["samples"].get<int>(), 10000);
    QCOMPARE(studioTest["samples"].get<int>(), 10000);
    QVERIFY(cliTest["accuracy"].get<double>() > 0.7);
    QVERIFY2(
        std::abs(cliTest["accuracy"].get<double>() - studioTest["accuracy"].get<double>()) < 2e-4,
        qPrintable(QString::fromStdString(cliTest.dump() + " vs " + studioTest.dump())));
    QVERIFY(std::abs(cliTest["loss"].get<double>() - studioTest["loss"].get<double>()) < 1e-3);
    QCOMPARE(tested.count(), 1);
  }
};

QTEST_MAIN(TestRunRecords)
#include "tst_app_runrecords.moc"
