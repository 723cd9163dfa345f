// The whole training dashboard with real widgets (offscreen), recording into a project file:
// train from the Start button (curves, progress, ETA, histograms), pause stops the step counter,
// a learning rate changed while paused is applied at resume and recorded + marked, stop marks the
// run, the runs browser lists runs, overlays two and diffs their configs, exports CSVLogger
// columns, resumes a stopped run from its checkpoint; a NaN loss stops with a visible message and
// keeps the best checkpoint; exports PNG/SVG/PDF; hover readout.
#include <qcustomplot.h>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QtTest>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/TinyModel.h"
#include "tests/ui/training/DashboardTestSupport.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/HistogramView.h"
#include "ui/training/LossPlot.h"
#include "ui/training/PreflightList.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

// Adam(lr), mse + mae, batch 8, validation_split 0.25 and `epochs`.
void configure(CompilePanel* c, int epochs, double lr = 0.01, const QString& opt = "Adam") {
  c->optimizerBox()->setCurrentText(opt);
  c->learningRateBox()->setValue(lr);
  c->epochsBox()->setValue(epochs);
  c->batchSizeBox()->setValue(8);
  c->validationSplitBox()->setValue(0.25);
}

}  // namespace

class TestDashboard : public QObject {
  Q_OBJECT

 private slots:
  void endToEnd() {
    QTemporaryDir dir;
    QString path = dir.filePath("p.tessel");
    TrainingDashboard dash;
    dash.resize(1400, 900);
    openTinyDashboard(dash, path);
    configure(dash.compilePanel(), 100000);
    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* c = panel->controller();

    // Run 1: start from the button.
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(c->isRunning());
    QVERIFY(dash.preflightList()->count() > 0);  // the pre-flight list was filled
    QCOMPARE(dash.preflightList()->errorCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->batchPointCount() > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->progressBar()->value() > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->epochValues("val_loss").size() >= 3, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->statusLabel()->text().contains("ETA"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->etaSeconds() > 0, 5000);
    QVERIFY(panel->statusLabel()->text().contains("samples/s"));
    // Histograms: 4 weights (2 kernels, 2 biases), 30 bins counting every value.
    QTRY_VERIFY_WITH_TIMEOUT(dash.histogramView()->epoch() >= 0, 5000);
    QCOMPARE(dash.histogramView()->histograms().size(), 4);
    const LayerHistogram& h0 = dash.histogramView()->histograms()[0];
    QCOMPARE(h0.weight, QString("dense/kernel"));
    double total = 0;
    for (double v : h0.weightCounts) total += v;
    QCOMPARE(total, 24.0);
    QCOMPARE(h0.gradCounts.size(), 30);
    // The learning-rate plot has points; the run exists in the browser.
    QVERIFY(panel->learningRatePlot()->graph(0)->dataCount() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(c->runId() > 0, 5000);
    const qint64 run1 = c->runId();

    // Pause: the step counter stops.
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QVERIFY(c->isPaused());
    QVERIFY(panel->learningRateBox()->isEnabled());
    QCOMPARE(panel->learningRateBox()->value(), 0.01);
    // The worker blocks at its next batch end and reports it with a "pause" marker.
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("pause"), 10000);
    QTest::qWait(100);
    const qint64 pausedAt = panel->currentStep();
    QTest::qWait(300);
    QCOMPARE(panel->currentStep(), pausedAt);
    // Change the learning rate while paused; applied at resume.
    panel->learningRateBox()->setValue(0.0005);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QVERIFY(!c->isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(panel->currentStep() > pausedAt, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(c->learningRate(), 0.0005, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("lr_change"), 5000);
    QVERIFY(panel->plot()->eventMarkerKinds().contains("pause"));
    QVERIFY(panel->plot()->eventMarkerKinds().contains("resume"));
    QVERIFY(panel->plot()->eventMarkerKinds().contains("best_epoch"));
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->epochValues("loss").size() >= 5, 15000);
    QVERIFY(panel->grab().save(QStringLiteral(TESSEL_BINARY_DIR "/dashboard_tiny_panel.png")));

    // Stop: the run is "stopped"; the project holds the events.
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 10000);
    {
      auto p = Project::open(path.toStdString(), true);
      QCOMPARE(p.run(run1)->status, RunStatus::Stopped);
      QVERIFY(p.checkpoint(run1, "last").has_value());
    }
    auto lr = eventsOf(path, run1, "lr_change");
    QCOMPARE(lr.size(), size_t(1));
    QCOMPARE(lr[0].payload["to"].get<double>(), 0.0005);
    QCOMPARE(lr[0].payload["source"].get<std::string>(), std::string("user"));
    QCOMPARE(eventsOf(path, run1, "pause").size(), size_t(1));
    QCOMPARE(eventsOf(path, run1, "resume").size(), size_t(1));
    RunsBrowser* runs = dash.runsBrowser();
    QTRY_COMPARE_WITH_TIMEOUT(runs->runIds().size(), 1, 5000);
    QCOMPARE(runs->table()->item(0, 1)->text(), QString("stopped"));

    // Run 2: 3 epochs, SGD.
    configure(dash.compilePanel(), 3, 0.05, "SGD");
    QSignalSpy finished(c, &TrainingController::finished);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 15000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), QString("finished"));
    const qint64 run2 = c->runId();
    QVERIFY(run2 != run1);
    QTRY_COMPARE_WITH_TIMEOUT(runs->runIds().size(), 2, 5000);
    QCOMPARE(runs->runIds().first(), run2);  // newest first
    QCOMPARE(runs->table()->item(0, 1)->text(), QString("finished"));
    QCOMPARE(runs->table()->item(0, 3)->text(), QString("3"));
    QVERIFY(runs->table()->item(0, 4)->text().contains("val_loss"));

    // Overlay both: two graphs with their epochs, and a legend.
    runs->selectRuns({run1, run2});
    QCOMPARE(runs->selectedRunIds().size(), 2);
    runs->overlayKeyBox()->setCurrentText("val_loss");
    QCustomPlot* overlay = runs->overlayPlot();
    QCOMPARE(overlay->graphCount(), 2);
    int sizes[2] = {overlay->graph(0)->dataCount(), overlay->graph(1)->dataCount()};
    QVERIFY(std::min(sizes[0], sizes[1]) == 3);
    QVERIFY(std::max(sizes[0], sizes[1]) >= 5);
    QVERIFY(overlay->legend->itemCount() >= 2);
    // Config diff: optimizer and epochs differ, side by side.
    QString diff = runs->diffView()->toPlainText();
    QVERIFY2(diff.contains("settings/fit/epochs"), qPrintable(diff));
    QVERIFY(diff.contains("optimizer_config/class_name"));
    QVERIFY(diff.contains("\"SGD\"") && diff.contains("\"Adam\""));
    dash.tabs()->setCurrentWidget(runs);
    QVERIFY(runs->grab().save(QStringLiteral(TESSEL_BINARY_DIR "/dashboard_runs.png")));

    // CSV with Keras CSVLogger columns.
    QString csvPath = dir.filePath("history.csv");
    QVERIFY(runs->exportCsv(run2, csvPath));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QStringList lines = QString::fromUtf8(csv.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString("epoch,loss,mae,val_loss,val_mae"));
    QVERIFY(lines[1].startsWith("0,"));
    QVERIFY(lines[3].startsWith("2,"));
    {
      auto p = Project::open(path.toStdString(), true);
      auto best = p.bestMetric(run2, "val_loss");
      QVERIFY(best.has_value());
      QVERIFY(QString::fromUtf8(csv.fileName().toUtf8()).size() > 0);
    }

    // Rename through the browser.
    QVERIFY(runs->renameRun(run2, "sgd run"));
    QCOMPARE(runs->table()->item(0, 0)->text(), QString("sgd run"));

    // Resume run 1 from its last checkpoint with the Resume button.
    int run1Epochs = 0;
    {
      auto p = Project::open(path.toStdString(), true);
      run1Epochs = p.run(run1)->epochsDone;
    }
    runs->selectRuns({run1});
    QVERIFY(runs->resumeButton()->isEnabled());
    QTest::mouseClick(runs->resumeButton(), Qt::LeftButton);
    QVERIFY(c->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(c->runId() == run1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->epochValues("loss").size() >= 2, 15000);
    QCOMPARE(c->initialEpoch(), run1Epochs);
    // The learning rate set by hand came back from the checkpoint's optimizer state.
    QCOMPARE(c->learningRate(), 0.0005);
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 10000);
    {
      auto p = Project::open(path.toStdString(), true);
      QVERIFY(p.run(run1)->epochsDone >= run1Epochs + 2);
      QCOMPARE(p.run(run1)->status, RunStatus::Stopped);
      QCOMPARE(p.integrityCheck(), std::string("ok"));
    }
    QCOMPARE(eventsOf(path, run1, "resume").size(), size_t(2));
    QCOMPARE(TrainingController::activeWorkers(), 0);
  }

  void nanStopsAndKeepsBestCheckpoint() {
    QTemporaryDir dir;
    QString path = dir.filePath("p.tessel");
    TrainingDashboard dash;
    const qint64 modelId = openTinyDashboard(dash, path);
    configure(dash.compilePanel(), 100000, 0.01, "SGD");
    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* c = panel->controller();
    QSignalSpy failed(c, &TrainingController::failed);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->epochValues("loss").size() >= 2, 15000);
    // A huge learning rate, set while paused: the loss becomes NaN/Inf right after resume.
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("pause"), 5000);
    c->setLearningRate(1e30);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!c->isRunning(), 15000);
    QCOMPARE(failed.count(), 1);
    QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("NaN") || message.contains("Inf"), qPrintable(message));
    QCOMPARE(panel->statusLabel()->text(), "failed: " + message);
    QVERIFY(panel->statusLabel()->isVisible());
    QCOMPARE(panel->failureMessage(), message);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("nan"), 5000);
    auto p = Project::open(path.toStdString(), true);
    auto runs = p.runs(modelId);
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0].status, RunStatus::Failed);
    auto best = p.checkpoint(runs[0].id, "best");
    QVERIFY(best.has_value());
    QVERIFY(best->epoch >= 0);
    QVERIFY(!best->weights.empty());
    // The best checkpoint's weights are finite.
    const float* w = reinterpret_cast<const float*>(best->weights.data());
    for (size_t i = 0; i < best->weights.size() / sizeof(float); ++i) QVERIFY(std::isfinite(w[i]));
    QCOMPARE(eventsOf(path, runs[0].id, "nan").size(), size_t(1));
  }

  // A finished run evaluates the test data once with its final weights (Keras model.evaluate):
  // a "test" event with the logs, and the status line shows them. A stopped run does not.
  void testDataEvaluatedWhenRunFinishes() {
    QTemporaryDir dir;
    QString path = dir.filePath("p.tessel");
    TrainingDashboard dash;
    const qint64 modelId = openTinyDashboard(dash, path);
    configure(dash.compilePanel(), 3);
    const Dataset test = tinyData(40, 99);
    dash.setTestData(test);
    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* c = panel->controller();
    QSignalSpy evaluated(c, &TrainingController::testEvaluated);
    QSignalSpy finished(c, &TrainingController::finished);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QCOMPARE(finished.at(0).at(0).toString(), QString("finished"));
    QCOMPARE(evaluated.count(), 1);
    const QVariantMap logs = evaluated.at(0).at(0).toMap();

    // The same evaluation, redone from the run's last checkpoint (the final weights).
    auto p = Project::open(path.toStdString(), true);
    auto runs = p.runs(modelId);
    QCOMPARE(runs.size(), size_t(1));
    Model model(ModelSpec::fromKerasJson(runs[0].spec), 0);
    restoreCheckpointWeights(model, *p.checkpoint(runs[0].id, "last"));
    Trainer trainer(model, dash.compilePanel()->compileOptions());
    const Logs expected = trainer.evaluate(test, 8);
    QCOMPARE(logs.size(), int(expected.size()));
    const auto events = eventsOf(path, runs[0].id, "test");
    QCOMPARE(events.size(), size_t(1));
    for (const auto& [name, value] : expected) {
      QCOMPARE(logs.value(QString::fromStdString(name)).toDouble(), value);
      QCOMPARE(events[0].payload[name].get<double>(), value);
    }
    QCOMPARE(events[0].payload["samples"], json(40));
    QVERIFY2(panel->statusLabel()->text().contains("test loss: "),
             qPrintable(panel->statusLabel()->text()));

    // Stopped runs are not evaluated.
    configure(dash.compilePanel(), 100000);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->epochValues("loss").size() >= 1, 15000);
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 15000);
    QCOMPARE(finished.at(1).at(0).toString(), QString("stopped"));
    QCOMPARE(evaluated.count(), 1);
    QVERIFY(!panel->statusLabel()->text().contains("test loss"));
  }

  void closingMidTrainingMarksStopped() {
    // confirmStopTraining(false) (what the window calls on close) and a plain delete while
    // paused: no crash, run "stopped", the file passes integrity_check.
    for (bool viaConfirm : {true, false}) {
      QTemporaryDir dir;
      QString path = dir.filePath("p.tessel");
      auto* dash = new TrainingDashboard;
      const qint64 modelId = openTinyDashboard(*dash, path);
      configure(dash->compilePanel(), 100000);
      QTest::mouseClick(dash->trainingPanel()->startButton(), Qt::LeftButton);
      QTRY_VERIFY_WITH_TIMEOUT(dash->trainingPanel()->plot()->epochValues("loss").size() >= 2,
                               15000);
      if (viaConfirm) {
        QVERIFY(dash->confirmStopTraining(false));
        QVERIFY(!dash->isTraining());
      } else {
        QTest::mouseClick(dash->trainingPanel()->pauseButton(), Qt::LeftButton);
      }
      delete dash;
      QCOMPARE(TrainingController::activeWorkers(), 0);
      auto p = Project::open(path.toStdString(), true);
      auto runs = p.runs(modelId);
      QCOMPARE(runs.size(), size_t(1));
      QCOMPARE(runs[0].status, RunStatus::Stopped);
      QCOMPARE(p.integrityCheck(), std::string("ok"));
    }
  }

  void preflightBlocksStart() {
    TrainingDashboard dash;
    dash.show();
    dash.setModel(ModelSpec::fromKerasJson(tinyTopology()));
    Dataset bad = tinyData(32);
    bad.x[0] = Array(DType::Float32, {32, 5});  // Input wants 3 features
    dash.setData(bad);
    // Listed before any click: Start is disabled and its tooltip says what is wrong.
    QVERIFY(dash.preflightList()->errorCount() >= 1);
    QPushButton* start = dash.trainingPanel()->startButton();
    QVERIFY(!start->isEnabled());
    QVERIFY(!dash.missingForStart().isEmpty());
    QCOMPARE(start->toolTip(), dash.missingForStart());
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(!dash.isTraining());
    dash.startTraining();  // the window's Train refuses as well
    QVERIFY(!dash.isTraining());
    QVERIFY(dash.trainingPanel()->statusLabel()->text().contains("Pre-flight"));
    // Fitting data clears the finding and enables Start.
    dash.setData(tinyData(32));
    QCOMPARE(dash.preflightList()->errorCount(), 0);
    QVERIFY(start->isEnabled());
  }

  void exportsAndHover() {
    TrainingPanel panel;
    panel.resize(900, 600);
    panel.show();
    FitOptions fit;
    fit.epochs = 4;
    fit.batchSize = 16;
    fit.validationSplit = 0.25;
    CompileOptions compile;
    compile.losses = {"mse"};
    compile.metrics = {{"mae"}};
    compile.optimizer = "adam";
    panel.setJob(ModelSpec::fromKerasJson(tinyTopology()), compile, tinyData(), fit);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 15000);
    QCOMPARE(panel.plot()->epochValues("loss").size(), 4);
    QTemporaryDir dir;
    for (const char* ext : {"png", "svg", "pdf"}) {
      QString f = dir.filePath(QString("curves.") + ext);
      QVERIFY2(panel.plot()->saveImage(f, 640, 400), ext);
      QFile file(f);
      QVERIFY(file.open(QIODevice::ReadOnly));
      QByteArray head = file.read(64);
      if (QByteArray(ext) == "png") QVERIFY(head.startsWith("\x89PNG"));
      if (QByteArray(ext) == "pdf") QVERIFY(head.startsWith("%PDF"));
      if (QByteArray(ext) == "svg") QVERIFY(head.contains("<?xml") || head.contains("<svg"));
    }
    // Hover over the third epoch's loss point: the readout names it.
    QCustomPlot* cp = panel.plot()->customPlot();
    cp->replot();
    QCPGraph* g = panel.plot()->epochGraph("loss");
    double key = g->data()->at(2)->key, value = g->data()->at(2)->value;
    QPoint px(qRound(g->keyAxis()->coordToPixel(key)), qRound(g->valueAxis()->coordToPixel(value)));
    QString text = panel.plot()->readoutAt(px);
    QVERIFY2(text.startsWith("epoch 3 - loss: "), qPrintable(text));
    QTest::mouseMove(cp, px);
    QTRY_VERIFY_WITH_TIMEOUT(panel.plot()->hoverText().startsWith("epoch 3"), 2000);
    QVERIFY(panel.plot()->readoutAt(QPoint(-500, -500)).isEmpty());
  }
};

QTEST_MAIN(TestDashboard)
#include "tst_ui_dashboard.moc"
