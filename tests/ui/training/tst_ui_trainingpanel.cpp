// The training dashboard with real widgets (offscreen): a tiny regression model trained from the
// Start button, pause / resume / stop, destroying the panel mid-training, a NaN failure, the
// batch-update throttle and recording into a project file.
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

CompileOptions compileOpts(const json& optimizer, bool withMetric = true) {
  CompileOptions c;
  c.losses = {"mse"};
  if (withMetric) c.metrics = {{"mae"}};
  c.optimizer = optimizer;
  return c;
}

json adam(double lr) {
  return {{"class_name", "Adam"}, {"config", {{"learning_rate", lr}}}};
}
json sgd(double lr) {
  return {{"class_name", "SGD"}, {"config", {{"learning_rate", lr}}}};
}

FitOptions longFit(int batchSize) {
  FitOptions f;
  f.epochs = 100000;  // runs until stopped
  f.batchSize = batchSize;
  f.validationSplit = 0.25;
  f.verbose = 0;
  f.seed = 3;
  return f;
}

void setTinyJob(TrainingPanel& panel, const json& optimizer, FitOptions fit,
                const QString& project = {}, qint64 modelId = 0) {
  panel.setJob(ModelSpec::fromKerasJson(tinyTopology()), compileOpts(optimizer), tinyData(),
               std::move(fit), project, modelId);
}

}  // namespace

class TestTrainingPanel : public QObject {
  Q_OBJECT

 private slots:
  void smoothingIsTensorBoardEma() {
    // s_t = w s_{t-1} + (1 - w) v_t with s_0 = 0, divided by 1 - w^t.
    auto s = LossPlot::smooth({0.0, 10.0, 10.0}, 0.5);
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[0], 0.0);
    QVERIFY(std::abs(s[1] - 5.0 / 0.75) < 1e-12);
    QVERIFY(std::abs(s[2] - 7.5 / 0.875) < 1e-12);
    auto flat = LossPlot::smooth({2.0, 2.0, 2.0}, 0.9);
    for (double v : flat) QVERIFY(std::abs(v - 2.0) < 1e-12);
    QCOMPARE(LossPlot::smooth({1.0, 4.0}, 0.0), QVector<double>({1.0, 4.0}));
  }

  void startPauseResumeStop() {
    TrainingPanel panel;
    panel.resize(1000, 640);
    panel.show();
    setTinyJob(panel, adam(0.01), longFit(8));
    QVERIFY(panel.startButton()->isEnabled());
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QVERIFY(panel.controller()->isRunning());
    QVERIFY(!panel.startButton()->isEnabled());

    QTRY_VERIFY_WITH_TIMEOUT(panel.plot()->batchPointCount() > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(panel.progressBar()->value() > 0, 10000);
    QCOMPARE(panel.progressBar()->maximum(), 100000 * 24);  // 192 training rows / 8
    // A few epochs: train and val curves for the loss and the metric.
    QTRY_VERIFY_WITH_TIMEOUT(panel.plot()->epochValues("val_loss").size() >= 3, 15000);
    QVERIFY(panel.plot()->epochGraph("loss") != nullptr);
    QVERIFY(panel.plot()->epochGraph("val_mae") != nullptr);
    QVERIFY(panel.plot()->epochGraph("val_mae")->valueAxis() == panel.plot()->customPlot()->yAxis2);
    QVERIFY(panel.statusLabel()->text().startsWith("Epoch "));
    QVERIFY(panel.statusLabel()->text().contains("loss: "));
    QVERIFY(panel.statusLabel()->text().contains("samples/s"));

    // Screenshot of the panel mid-training.
    QTest::qWait(300);
    QVERIFY(panel.grab().save(QStringLiteral(TESSEL_BINARY_DIR "/training_panel.png")));
    QVERIFY(panel.plot()->savePng(QStringLiteral(TESSEL_BINARY_DIR "/training_plot.png")));

    // Pause: the step counter stops (after the in-flight batch and the last drain).
    QTest::mouseClick(panel.pauseButton(), Qt::LeftButton);
    QVERIFY(panel.controller()->isPaused());
    QCOMPARE(panel.pauseButton()->text(), QString("Resume"));
    // The worker blocks at its next batch end and reports it with a "pause" marker.
    QTRY_VERIFY_WITH_TIMEOUT(panel.plot()->eventMarkerKinds().contains("pause"), 10000);
    QTest::qWait(100);
    const qint64 pausedAt = panel.currentStep();
    QTest::qWait(300);
    QCOMPARE(panel.currentStep(), pausedAt);

    // Resume continues.
    QTest::mouseClick(panel.pauseButton(), Qt::LeftButton);
    QVERIFY(!panel.controller()->isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(panel.currentStep() > pausedAt, 10000);

    // Stop ends with "stopped".
    QSignalSpy finished(panel.controller(), &TrainingController::finished);
    QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 10000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), QString("stopped"));
    QVERIFY2(panel.statusLabel()->text().startsWith("stopped"),
             qPrintable(panel.statusLabel()->text()));
    QCOMPARE(TrainingController::activeWorkers(), 0);
    QVERIFY(panel.startButton()->isEnabled());
  }

  void destroyMidTraining() {
    for (bool pauseFirst : {false, true}) {
      auto* panel = new TrainingPanel;
      panel->show();
      setTinyJob(*panel, adam(0.01), longFit(4));
      QTest::mouseClick(panel->startButton(), Qt::LeftButton);
      QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->batchPointCount() > 0, 10000);
      QCOMPARE(TrainingController::activeWorkers(), 1);
      if (pauseFirst) QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
      delete panel;  // requests a stop and joins the worker
      QCOMPARE(TrainingController::activeWorkers(), 0);
    }
  }

  void nanShowsFailure() {
    TrainingPanel panel;
    panel.show();
    FitOptions fit = longFit(8);
    fit.epochs = 20;
    setTinyJob(panel, sgd(1e30), fit);
    QSignalSpy failed(panel.controller(), &TrainingController::failed);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 15000);
    QCOMPARE(failed.count(), 1);
    QString message = failed.at(0).at(0).toString();
    QVERIFY(!message.isEmpty());
    QCOMPARE(panel.statusLabel()->text(), "failed: " + message);
    QVERIFY2(message.contains("nan", Qt::CaseInsensitive) ||
                 message.contains("inf", Qt::CaseInsensitive),
             qPrintable(message));
    QCOMPARE(TrainingController::activeWorkers(), 0);
  }

  void batchUpdatesAreThrottled() {
    TrainingPanel panel;
    panel.show();
    setTinyJob(panel, sgd(0.01), longFit(1));  // one sample per batch: thousands of batches/s
    QSignalSpy spy(panel.controller(), &TrainingController::batchPoints);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() > 0, 10000);
    spy.clear();
    QTest::qWait(1000);
    int emissions = spy.count();
    qint64 points = 0;
    for (const auto& args : spy) points += args.at(0).value<QVector<QPointF>>().size();
    panel.controller()->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 10000);
    qInfo("%d batchPoints emissions carrying %lld batches in 1 s", emissions, points);
    QVERIFY(emissions >= 1);
    QVERIFY2(emissions <= 40, qPrintable(QString::number(emissions)));
    QVERIFY(points > emissions);  // batches really are coalesced
  }

  void epochUpdatesAreCoalesced() {
    // 4 samples, batch 4, no validation: one step per epoch, thousands of epochs per second.
    TrainingPanel panel;
    panel.show();
    FitOptions fit;
    fit.epochs = 10000000;
    fit.batchSize = 4;
    fit.verbose = 0;
    Dataset d = tinyData();
    d.x[0] = d.x[0].rowsRange(0, 4);
    d.y[0] = d.y[0].rowsRange(0, 4);
    panel.setJob(ModelSpec::fromKerasJson(tinyTopology()), compileOpts(sgd(0.01)), d, fit);
    TrainingController* c = panel.controller();
    QSignalSpy epochs(c, &TrainingController::epochsEnded);
    QSignalSpy last(c, &TrainingController::epochEnd);
    QSignalSpy events(c, &TrainingController::events);
    QSignalSpy hist(c, &TrainingController::histograms);
    QSignalSpy progress(c, &TrainingController::progress);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(epochs.count() > 0, 10000);
    epochs.clear();
    last.clear();
    events.clear();
    hist.clear();
    progress.clear();
    const qint64 drains0 = c->drainCount();
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(1000);
    const qint64 drains = c->drainCount() - drains0;
    const qint64 ms = clock.elapsed();
    qint64 carried = 0;
    for (const auto& args : epochs) carried += args.at(0).value<QVector<int>>().size();
    QList<qsizetype> counts;
    for (QSignalSpy* spy : {&epochs, &last, &events, &hist, &progress}) counts << spy->count();
    const qsizetype epochEmissions = epochs.count();
    c->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 10000);
    qInfo("%lld drains, %lld epochsEnded emissions carrying %lld epochs in %lld ms", drains,
          static_cast<qint64>(epochEmissions), carried, ms);
    // At most one emission of each signal per drain, drains paced by the drain timer.
    QVERIFY(drains <= ms / TrainingController::kDrainIntervalMs + 2);
    for (qsizetype n : counts) QVERIFY2(n <= drains + 1, qPrintable(QString::number(n)));
    QVERIFY(epochEmissions >= 1);
    QCOMPARE(counts[1], counts[0]);  // epochEnd: once per drain, with the latest epoch
    QVERIFY2(carried > 10 * epochEmissions, qPrintable(QString::number(carried)));  // coalesced
    // Every epoch reached the plot.
    QVERIFY(panel.plot()->epochValues("loss").size() >= carried);
  }

  void recordsIntoProject() {
    QTemporaryDir dir;
    QString path = dir.filePath("p.tessel");
    const qint64 modelId = createTinyProject(path.toStdString());
    TrainingPanel panel;
    FitOptions fit = longFit(32);
    fit.epochs = 3;
    setTinyJob(panel, adam(0.01), fit, path, modelId);
    QSignalSpy finished(panel.controller(), &TrainingController::finished);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 15000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), QString("finished"));
    QCOMPARE(panel.plot()->epochValues("loss").size(), 3);
    QCOMPARE(panel.progressBar()->value(), panel.progressBar()->maximum());

    auto project = Project::open(path.toStdString(), true);
    auto runs = project.runs(modelId);
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0].status, RunStatus::Finished);
    auto epochs = project.epochMetrics(runs[0].id);
    int lossRows = 0;
    for (const auto& m : epochs)
      if (m.name == "loss") {
        // The stored epoch loss equals what the plot shows.
        QVERIFY(std::abs(m.value - panel.plot()->epochValues("loss").at(m.epoch)) < 1e-9);
        ++lossRows;
      }
    QCOMPARE(lossRows, 3);
  }
};

QTEST_MAIN(TestTrainingPanel)
#include "tst_ui_trainingpanel.moc"
