// Crash safety of the studio: a studio process (this executable started again with
// TESSEL_STUDIO_CRASH_CHILD=<project>: the real MainWindow, offscreen, Start clicked on the
// Train page) is killed with SIGKILL in the middle of training the Fashion-MNIST MLP. The project
// then opens with integrity_check ok and the run `interrupted`; opened in the studio again, the
// project tree says so, and Resume in the runs browser continues the run from its last checkpoint
// to its last epoch.
#include <QApplication>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <vector>

#include "engine/store/Project.h"
#include "ui/MainWindow.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// Many short epochs: however late the loaded test process sees "epochs 2", the child is still
// training when it is killed. The resumed run is stopped two epochs after it resumes.
constexpr int kEpochs = 40;
constexpr int kSamples = 3200;  // 100 batches of 32 an epoch
const char* kChildVariable = "TESSEL_STUDIO_CRASH_CHILD";

void setTestIdentity() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName("TesselTest");
  QCoreApplication::setApplicationName("tst_app_studiocrash");
}

// The studio process to be killed: opens the project, clicks Start and prints
// "epochs <completed> run <id>" whenever an epoch completes, until it is killed.
int runChild(int argc, char** argv, const QString& project) {
  QApplication app(argc, argv);
  setTestIdentity();
  MainWindow w;
  if (!w.openProject(project)) return 3;
  w.setTrainSampleLimit(kSamples);
  w.resize(1280, 800);
  w.show();
  w.showPage(MainWindow::Page::Train);
  w.dashboard()->compilePanel()->epochsBox()->setValue(kEpochs);
  QTest::mouseClick(w.trainingPanel()->startButton(), Qt::LeftButton);
  if (!w.isTraining()) return 4;
  TrainingController* controller = w.trainingPanel()->controller();
  int reported = -1;
  QTimer poll;
  QObject::connect(&poll, &QTimer::timeout, [&] {
    if (controller->epochsCompleted() == reported) return;
    reported = controller->epochsCompleted();
    std::printf("epochs %d run %lld\n", reported, static_cast<long long>(controller->runId()));
    std::fflush(stdout);
  });
  poll.start(10);
  return app.exec();
}

}  // namespace

class TestAppStudioCrash : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { setTestIdentity(); }

  void killedStudioRunResumesInTheStudio() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("Examples.tessel");
    QVERIFY(ExampleLibrary::writeExampleProject(path));

    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(kChildVariable, path);
    env.insert("QT_QPA_PLATFORM", "offscreen");
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted());
    // Kill it a random moment after its second epoch, well before its last.
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(child.readAllStandardOutput()),
                              out.contains("epochs 2 ") || child.state() != QProcess::Running),
                             120000);
    QVERIFY2(child.state() == QProcess::Running, qPrintable("the studio ended early: " + out));
    QThread::msleep(QRandomGenerator::global()->bounded(100));
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished(10000));
    const QRegularExpression runRe("epochs 2 run (\\d+)");
    const qint64 runId = runRe.match(out).captured(1).toLongLong();
    QVERIFY2(runId > 0, qPrintable(out));

    int epochsDone = 0;
    {
      auto project = Project::open(path.toStdString());
      QCOMPARE(project.integrityCheck(), std::string("ok"));
      const RunRecord run = *project.run(runId);
      QCOMPARE(run.status, RunStatus::Interrupted);
      epochsDone = run.epochsDone;
      QVERIFY2(epochsDone >= 2 && epochsDone < kEpochs, qPrintable(QString::number(epochsDone)));
      QVERIFY(project.checkpoint(runId, "last"));
    }

    // Reopened in the studio: the tree says interrupted, Resume continues from the interrupted
    // epoch (two more epochs, then Stop: all forty would take minutes on a loaded machine).
    MainWindow w;
    QVERIFY(w.openProject(path));
    w.setTrainSampleLimit(kSamples);
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTreeWidgetItem* item = w.projectTree()->runItem(runId);
    QVERIFY(item);
    QVERIFY2(item->text(0).contains("interrupted"), qPrintable(item->text(0)));
    w.showPage(MainWindow::Page::Train);
    RunsBrowser* runs = w.dashboard()->runsBrowser();
    runs->selectRuns({runId});
    QVERIFY(runs->resumeButton()->isEnabled());
    QTest::mouseClick(runs->resumeButton(), Qt::LeftButton);
    TrainingController* controller = w.trainingPanel()->controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller->runId() == runId, 10000);
    QCOMPARE(controller->initialEpoch(), epochsDone);
    QTRY_VERIFY_WITH_TIMEOUT(controller->epochsCompleted() >= epochsDone + 2, 120000);
    QTest::mouseClick(w.trainingPanel()->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isTraining(), 120000);
    auto project = Project::open(path.toStdString(), true);
    const RunRecord resumed = *project.run(runId);
    QCOMPARE(resumed.status, RunStatus::Stopped);
    QVERIFY2(resumed.epochsDone >= epochsDone + 2 && resumed.epochsDone < kEpochs,
             qPrintable(QString::number(resumed.epochsDone)));
    // The history has each epoch's loss once: the interrupted run's and the resumed ones.
    std::vector<int> lossEpochs;
    for (const MetricPoint& p : project.epochMetrics(runId))
      if (p.name == "loss") lossEpochs.push_back(p.epoch);
    std::sort(lossEpochs.begin(), lossEpochs.end());
    QCOMPARE(static_cast<int>(lossEpochs.size()), resumed.epochsDone);
    for (int e = 0; e < resumed.epochsDone; ++e) QCOMPARE(lossEpochs[e], e);
    QCOMPARE(project.integrityCheck(), std::string("ok"));
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsSet(kChildVariable))
    return runChild(argc, argv, qEnvironmentVariable(kChildVariable));
  QApplication app(argc, argv);
  TestAppStudioCrash test;
  return QTest::qExec(&test, argc, argv);
}
#include "tst_app_studiocrash.moc"
