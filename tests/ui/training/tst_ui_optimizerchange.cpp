// Optimizer settings changed in the Compile panel while a run is paused are applied to the
// running fit at resume (the optimizer is rebuilt, keeping its moments for the same class),
// recorded in the project as an "optimizer_change" event and marked on the curves. Real clicks
// and key presses, offscreen.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/graph/ModelSpec.h"
#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "tests/ui/training/DashboardTestSupport.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

class TestOptimizerChange : public QObject {
  Q_OBJECT
 private slots:
  void momentumChangedWhilePaused() {
    QTemporaryDir dir;
    const QString path = dir.filePath("p.tessel");
    TrainingDashboard dash;
    dash.resize(1400, 900);
    openTinyDashboard(dash, path);
    CompilePanel* c = dash.compilePanel();
    c->optimizerBox()->setCurrentText("SGD");
    c->learningRateBox()->setValue(0.01);
    c->epochsBox()->setValue(100000);
    c->batchSizeBox()->setValue(8);
    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* controller = panel->controller();

    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(panel->currentStep() > 5, 10000);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("pause"), 10000);

    // Type a new momentum into the panel's SGD parameter form.
    auto* momentum = c->findChild<QDoubleSpinBox*>("momentum");
    QVERIFY(momentum);
    momentum->setFocus();
    momentum->selectAll();
    QTest::keyClicks(momentum, "0.9");
    QTest::keyClick(momentum, Qt::Key_Enter);
    QCOMPARE(momentum->value(), 0.9);

    const qint64 pausedAt = panel->currentStep();
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);  // resume
    QTRY_VERIFY_WITH_TIMEOUT(panel->currentStep() > pausedAt, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("optimizer_change"), 5000);
    const qint64 runId = controller->runId();
    QVERIFY(runId > 0);
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!controller->isRunning(), 10000);

    const auto changes = eventsOf(path, runId, "optimizer_change");
    QCOMPARE(changes.size(), size_t(1));
    const json& payload = changes[0].payload;
    QCOMPARE(payload["from"]["class_name"].get<std::string>(), std::string("SGD"));
    QCOMPARE(payload["from"]["config"]["momentum"].get<double>(), 0.0);
    QCOMPARE(payload["to"]["config"]["momentum"].get<double>(), 0.9);
    QCOMPARE(payload["to"]["config"]["learning_rate"].get<double>(), 0.01);
  }

  void unrelatedEditWhilePausedChangesNothing() {
    QTemporaryDir dir;
    const QString path = dir.filePath("p.tessel");
    TrainingDashboard dash;
    openTinyDashboard(dash, path);
    CompilePanel* c = dash.compilePanel();
    c->optimizerBox()->setCurrentText("Adam");
    c->epochsBox()->setValue(100000);
    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* controller = panel->controller();
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->currentStep() > 5, 10000);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("pause"), 10000);
    c->batchSizeBox()->setValue(16);  // not an optimizer setting
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->plot()->eventMarkerKinds().contains("resume"), 10000);
    const qint64 runId = controller->runId();
    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!controller->isRunning(), 10000);
    QVERIFY(eventsOf(path, runId, "optimizer_change").empty());
    QVERIFY(!panel->plot()->eventMarkerKinds().contains("optimizer_change"));
  }
};

QTEST_MAIN(TestOptimizerChange)
#include "tst_ui_optimizerchange.moc"
