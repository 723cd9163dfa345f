// Crash safety of the project file: `tessel train PROJECT` is killed with SIGKILL at random
// moments, 20 times. After each kill the project opens, passes PRAGMA integrity_check, the run
// is marked `interrupted`, and batch metrics committed up to about a second before the kill are
// there. Finally `tessel resume` continues the last run to the end. (A 100-kill version:
// TESSEL_CRASH_KILLS=100 ctest -R tst_app_crash; tests/crash/kill_train.py does 50 kills with
// metrics-loss measurement and resume equality.) A run killed after its first checkpoint and
// resumed ends with the same weights and optimizer state, bit for bit, as the same run (same
// seed, one thread) trained without interruption.
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <csignal>

#include "engine/data/Array.h"
#include "engine/data/Npy.h"
#include "engine/store/Project.h"

using namespace tessel;

namespace {
const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");
const QString kExample =
    QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json");
}  // namespace

class TestAppCrash : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString path(const char* name) { return dir_.filePath(name); }

  int run(const QStringList& args, QString* out = nullptr) {
    QProcess p;
    p.start(kTessel, args);
    if (!p.waitForFinished(120000)) return -1;
    if (out) *out = p.readAllStandardOutput() + p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo::exists(kTessel), qPrintable(kTessel));
    // Wide & deep regression: x (4000, 8), y = linear function + noise.
    const Index n = 4000;
    std::vector<double> xv(n * 8), yv(n);
    auto* rng = QRandomGenerator::global();
    for (Index i = 0; i < n; ++i) {
      double s = 0;
      for (int j = 0; j < 8; ++j) s += (xv[i * 8 + j] = rng->generateDouble() * 2 - 1) * (j - 3);
      yv[i] = s / 8;
    }
    writeNpy(path("x.npy").toStdString(), Array::fromValues(DType::Float32, {n, 8}, xv));
    writeNpy(path("y.npy").toStdString(), Array::fromValues(DType::Float32, {n, 1}, yv));
    QCOMPARE(run({"new", path("p.tessel")}), 0);
    QCOMPARE(run({"import", path("p.tessel"), kExample, "--name", "wd"}), 0);
  }

  void killedRunsAreInterruptedAndResumable() {
    const int kills = qEnvironmentVariableIntValue("TESSEL_CRASH_KILLS") > 0
                          ? qEnvironmentVariableIntValue("TESSEL_CRASH_KILLS")
                          : 20;
    const QStringList train = {"train",
                               path("p.tessel"),
                               "--x",
                               path("x.npy"),
                               "--y",
                               path("y.npy"),
                               "--epochs",
                               "3000",
                               "--validation-split",
                               "0.1",
                               "--threads",
                               "1",
                               "--verbose",
                               "0",
                               "--loss",
                               "mse"};
    std::int64_t lastRun = 0;
    for (int k = 0; k < kills; ++k) {
      QProcess p;
      QElapsedTimer timer;
      p.start(kTessel, train);
      QVERIFY(p.waitForStarted());
      timer.start();
      const int delay = 100 + int(QRandomGenerator::global()->bounded(1900));
      QThread::msleep(delay);
      const qint64 ranMs = timer.elapsed();
      bool stillRunning = p.state() == QProcess::Running;
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      p.waitForFinished(10000);
      auto project = Project::open(path("p.tessel").toStdString());  // marks interrupted runs
      QCOMPARE(project.integrityCheck(), std::string("ok"));
      auto runs = project.runs();
      if (runs.empty()) continue;  // killed before the run was created
      const auto& r = runs.back();
      if (r.id == lastRun) continue;  // killed before this attempt created its run
      lastRun = r.id;
      if (stillRunning) {
        QVERIFY2(r.status == RunStatus::Interrupted,
                 qPrintable(QString("kill %1 after %2 ms: run %3 is %4")
                                .arg(k)
                                .arg(ranMs)
                                .arg(r.id)
                                .arg(runStatusName(r.status))));
        // Start-up (loading, first batch) takes well under a second here: a process that ran
        // 1.6 s or more had trained for over a second, so at least one commit happened.
        if (ranMs >= 1600)
          QVERIFY2(!project.batchMetrics(r.id).empty(),
                   qPrintable(QString("no batch metrics after %1 ms").arg(ranMs)));
      }
    }
    QVERIFY(lastRun > 0);
    // Resume the last run that has a checkpoint.
    auto project = Project::open(path("p.tessel").toStdString(), true);
    std::int64_t resumable = 0;
    for (const auto& r : project.runs())
      if (r.status == RunStatus::Interrupted && project.checkpoint(r.id, "last")) resumable = r.id;
    QVERIFY2(resumable > 0, "no interrupted run reached its first checkpoint");
    int epochsBefore = project.run(resumable)->epochsDone;
    QString out;
    QCOMPARE(run({"resume", path("p.tessel"), QString::number(resumable), "--threads", "1"}, &out),
             0);
    auto after = Project::open(path("p.tessel").toStdString(), true);
    auto r = *after.run(resumable);
    QVERIFY2(r.status == RunStatus::Finished, qPrintable(out));
    QCOMPARE(r.epochsDone, 3000);
    QVERIFY(epochsBefore < 3000);
    // The curve is continuous: one row of val_loss per epoch, epochs 0..2999.
    int valRows = 0;
    for (const auto& m : after.epochMetrics(resumable)) valRows += m.name == "val_loss";
    QCOMPARE(valRows, 3000);
  }

  void resumeEndsWithTheWeightsOfAnUninterruptedRun() {
    const QStringList fit = {"--x",
                             path("x.npy"),
                             "--y",
                             path("y.npy"),
                             "--epochs",
                             "150",
                             "--validation-split",
                             "0.1",
                             "--threads",
                             "1",
                             "--verbose",
                             "0",
                             "--loss",
                             "mse",
                             "--seed",
                             "7"};
    auto fresh = [&](const QString& name) {
      QCOMPARE(run({"new", path(name.toUtf8().constData())}), 0);
      QCOMPARE(run({"import", path(name.toUtf8().constData()), kExample, "--name", "wd"}), 0);
    };
    fresh("reference.tessel");
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(run(QStringList{"train", path("reference.tessel")} + fit), 0);
    const qint64 referenceMs = timer.elapsed();
    const Checkpoint reference =
        *Project::open(path("reference.tessel").toStdString(), true).checkpoint(1, "last");
    QCOMPARE(reference.epoch, 149);

    int resumed = 0;
    for (int attempt = 0; attempt < 10 && resumed < 3; ++attempt) {
      const QString name = QString("killed%1.tessel").arg(attempt);
      fresh(name);
      const std::string file = path(name.toUtf8().constData()).toStdString();
      QProcess p;
      p.start(kTessel, QStringList{"train", path(name.toUtf8().constData())} + fit);
      QVERIFY(p.waitForStarted());
      // After the first checkpoint, at a random moment of the rest of the run.
      QTRY_VERIFY_WITH_TIMEOUT(lastCheckpoints(file) > 0 || p.state() != QProcess::Running, 60000);
      QThread::msleep(QRandomGenerator::global()->bounded(int(referenceMs * 3 / 4) + 1));
      if (p.state() != QProcess::Running) continue;  // it finished first: try again
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      p.waitForFinished(10000);
      {
        auto project = Project::open(file);
        QCOMPARE(project.integrityCheck(), std::string("ok"));
        const RunRecord r = *project.run(1);
        if (r.status == RunStatus::Finished) continue;  // it ended while the process exited
        QCOMPARE(r.status, RunStatus::Interrupted);
      }
      QString out;
      QCOMPARE(run({"resume", path(name.toUtf8().constData()), "1", "--threads", "1"}, &out), 0);
      auto project = Project::open(file, true);
      QCOMPARE(project.run(1)->status, RunStatus::Finished);
      const Checkpoint last = *project.checkpoint(1, "last");
      QCOMPARE(last.epoch, reference.epoch);
      QVERIFY2(last.weights == reference.weights, "resumed weights differ from the reference");
      QVERIFY2(last.optimizer == reference.optimizer, "resumed optimizer state differs");
      ++resumed;
    }
    QVERIFY2(resumed > 0, "no run was killed between its first checkpoint and its end");
  }

 private:
  // The number of "last" checkpoints in the project file (read while another process writes).
  static int lastCheckpoints(const std::string& file) {
    sqlite3* db = nullptr;
    int n = 0;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 200);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM checkpoints WHERE kind='last'", -1, &st,
                             nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  }
};

QTEST_GUILESS_MAIN(TestAppCrash)
#include "tst_app_crash.moc"
