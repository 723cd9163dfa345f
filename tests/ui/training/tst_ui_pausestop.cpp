// Pause and Stop of a real run of the Fashion-MNIST MLP in the studio window, driven by the
// dashboard's buttons: while paused the project tree says "paused" and the ETA stands still;
// Stop in the middle of an epoch ends that epoch early, and it is not shown as complete (no point
// on the curves past the stop step, histograms of the last complete epoch, a status line that
// says "partial"). Epochs are numbered from 1 everywhere on screen, as Keras's progress bar does
// ("Epoch 2/5"). Screenshots (TESSEL_SCREENSHOTS=<dir>): training_1280.png, training_1920.png.
#include <qcustomplot.h>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>
#include <chrono>
#include <thread>

#include "engine/train/TrainObserver.h"
#include "ui/MainWindow.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/HistogramView.h"
#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// Slows every batch down so that the test can press Pause in the middle of an epoch.
class SlowBatches : public TrainObserver {
 public:
  void onBatchEnd(int, int, const Logs&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
  }
};

void shot(MainWindow& w, int width, int height, const char* name) {
  const QString dir =
      qEnvironmentVariable("TESSEL_SCREENSHOTS", qEnvironmentVariable("TESSEL_SCREENSHOT_DIR"));
  if (dir.isEmpty()) return;
  w.resize(width, height);
  QTest::qWait(100);
  QVERIFY(w.grab().save(dir + QLatin1Char('/') + QLatin1String(name)));
}

}  // namespace

class TestPauseStop : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_pausestop");
  }

  void pauseThenStopMidEpoch() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("Examples.tessel");
    QVERIFY(ExampleLibrary::writeExampleProject(path));
    MainWindow w;
    QVERIFY(w.openProject(path));
    w.setTrainSampleLimit(3200);  // 100 batches of 32 an epoch
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    TrainingPanel* panel = w.trainingPanel();
    TrainingController* controller = panel->controller();
    controller->addObserverFactory([](Model&) { return std::make_unique<SlowBatches>(); });
    w.showPage(MainWindow::Page::Train);
    w.dashboard()->compilePanel()->epochsBox()->setValue(5);

    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(w.isTraining());
    // Into the second epoch, then Pause (honoured between two batches).
    QTRY_VERIFY_WITH_TIMEOUT(controller->epochsCompleted() >= 1 && panel->currentStep() % 100 > 5,
                             90000);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QVERIFY(controller->isPaused());
    QCOMPARE(panel->pauseButton()->text(), QString("Resume"));
    QTest::qWait(300);  // batches under way when Pause was pressed are reported
    const qint64 runId = controller->runId();
    QTreeWidgetItem* run = w.projectTree()->runItem(runId);
    QVERIFY(run);
    QVERIFY2(run->text(0).contains("paused"), qPrintable(run->text(0)));
    const QString status = panel->statusLabel()->text();
    QVERIFY2(status.startsWith("Paused - Epoch 2/5"), qPrintable(status));
    const double eta = panel->etaSeconds();
    const qint64 step = panel->currentStep();
    QTest::qWait(400);
    QCOMPARE(panel->etaSeconds(), eta);  // the ETA does not count while paused
    QCOMPARE(panel->currentStep(), step);
    QCOMPARE(panel->statusLabel()->text(), status);
    shot(w, 1280, 800, "training_1280.png");

    // Stop while paused, in the middle of epoch 2.
    QVERIFY(step % 100 != 0);
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isTraining(), 60000);
    const int complete = controller->epochsCompleted();
    QCOMPARE(controller->partialEpoch(), complete);  // 0-based: the epoch after the complete ones
    QVERIFY(controller->partialBatches() > 0 && controller->partialBatches() < 100);
    const QString end = panel->statusLabel()->text();
    QVERIFY2(end.startsWith("stopped") && end.contains("partial") &&
                 end.contains(QString("Epoch %1/5 complete").arg(complete)),
             qPrintable(end));
    // The curves: one point per complete epoch, none past the stop step.
    LossPlot* plot = panel->plot();
    QCOMPARE(plot->epochValues("loss").size(), complete);
    bool found = false;
    const QCPRange keys = plot->epochGraph("loss")->data()->keyRange(found);
    QVERIFY(found);
    QVERIFY(keys.upper <= static_cast<double>(panel->currentStep()));
    // Histograms of the last complete epoch, titled with the same 1-based number.
    HistogramView* hist = w.dashboard()->histogramView();
    QCOMPARE(hist->epoch() + 1, complete);
    QVERIFY2(hist->findChild<QLabel*>("histogramTitle")
                 ->text()
                 .contains(QString("epoch %1:").arg(complete)),
             qPrintable(hist->findChild<QLabel*>("histogramTitle")->text()));
    QTreeWidgetItem* ended = w.projectTree()->runItem(runId);
    QVERIFY(ended && !ended->text(0).contains("paused") && !ended->text(0).contains("running"));
    // The tree counts what the status line counts: the complete epochs, then the partial one.
    QVERIFY2(ended->text(0).contains(QString("stopped · %1 epoch").arg(complete + 1)) &&
                 ended->text(0).contains(QString("(epoch %1 partial: ").arg(complete + 1)),
             qPrintable(ended->text(0)));
    shot(w, 1920, 1080, "training_1920.png");
  }
};

QTEST_MAIN(TestPauseStop)
#include "tst_ui_pausestop.moc"
