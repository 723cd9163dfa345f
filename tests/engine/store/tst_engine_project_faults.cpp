// Disk-full and I/O-error paths: a VFS shim that fails writes on demand sits under the project;
// every failed write must surface as a clear tessel::Error and leave the file as it was before
// the failed operation (SQLite's journal rolls the transaction back). The same holds for a whole
// training run whose disk fills up (or turns read-only) at any moment: the run stops with one
// message, and the project opens, passes integrity_check and resumes the run.
#include <sqlite3.h>
#include <QtTest>

#include <atomic>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/session/ResumeRun.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "support/TinyModel.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

sqlite3_vfs* g_real = nullptr;
std::atomic<int> g_writesLeft{-1};  // -1: never fail; n: fail after n more successful writes
int g_failCode = SQLITE_FULL;

struct FaultyFile {
  sqlite3_file base;
  sqlite3_file* real;  // allocated right after this struct
};

int fWrite(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  auto* ff = reinterpret_cast<FaultyFile*>(f);
  int left = g_writesLeft.load();
  if (left == 0) return g_failCode;
  if (left > 0) g_writesLeft = left - 1;
  return ff->real->pMethods->xWrite(ff->real, p, n, off);
}

#define FORWARD(name, sig, args)                 \
  int name sig {                                 \
    auto* ff = reinterpret_cast<FaultyFile*>(f); \
    return ff->real->pMethods->name args;        \
  }
FORWARD(xClose, (sqlite3_file * f), (ff->real))
FORWARD(xRead, (sqlite3_file * f, void* p, int n, sqlite3_int64 o), (ff->real, p, n, o))
FORWARD(xTruncate, (sqlite3_file * f, sqlite3_int64 s), (ff->real, s))
FORWARD(xSync, (sqlite3_file * f, int fl), (ff->real, fl))
FORWARD(xFileSize, (sqlite3_file * f, sqlite3_int64* s), (ff->real, s))
FORWARD(xLock, (sqlite3_file * f, int l), (ff->real, l))
FORWARD(xUnlock, (sqlite3_file * f, int l), (ff->real, l))
FORWARD(xCheckReservedLock, (sqlite3_file * f, int* r), (ff->real, r))
FORWARD(xFileControl, (sqlite3_file * f, int op, void* a), (ff->real, op, a))
FORWARD(xSectorSize, (sqlite3_file * f), (ff->real))
FORWARD(xDeviceCharacteristics, (sqlite3_file * f), (ff->real))
#undef FORWARD

// Version 1 methods only: no WAL shared memory, so the shim forces rollback-journal mode,
// which is fine for these tests (journal_mode=WAL silently stays DELETE).
const sqlite3_io_methods kMethods = {1,
                                     xClose,
                                     xRead,
                                     fWrite,
                                     xTruncate,
                                     xSync,
                                     xFileSize,
                                     xLock,
                                     xUnlock,
                                     xCheckReservedLock,
                                     xFileControl,
                                     xSectorSize,
                                     xDeviceCharacteristics,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr};

int vOpen(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* outFlags) {
  auto* ff = reinterpret_cast<FaultyFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  int rc = g_real->xOpen(g_real, name, ff->real, flags, outFlags);
  ff->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}

sqlite3_vfs g_faulty;

void installFaultyVfs() {
  g_real = sqlite3_vfs_find(nullptr);
  g_faulty = *g_real;
  g_faulty.zName = "faulty";
  g_faulty.szOsFile = static_cast<int>(sizeof(FaultyFile)) + g_real->szOsFile;
  g_faulty.xOpen = vOpen;
  sqlite3_vfs_register(&g_faulty, /*makeDflt=*/1);
}

}  // namespace

class TestProjectFaults : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void initTestCase() { installFaultyVfs(); }

  void diskFullDuringWritesKeepsPreviousState() {
    try {
      diskFull();
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
  }

 private:
  void diskFull() {
    for (int code : {SQLITE_FULL, SQLITE_IOERR_WRITE}) {
      g_failCode = code;
      std::string path = dir_.filePath(QString("full%1.tessel").arg(code)).toStdString();
      g_writesLeft = -1;
      {
        auto p = Project::create(path);
        p.addModel("kept", {{"v", 1}});
      }
      // Fail at every possible write position of a multi-row transaction, one at a time.
      int failures = 0;
      for (int failAfter = 0; failAfter < 40; ++failAfter) {
        bool threw = false;
        {
          auto p = Project::open(path);
          g_writesLeft = failAfter;
          try {
            p.begin();
            auto m = p.addModel("new", {{"v", 2}});
            RunRecord r;
            r.modelId = m;
            auto run = p.createRun(r);
            Checkpoint c;
            c.kind = "last";
            c.weights.assign(200000, 1);
            p.saveCheckpoint(run, c);
            p.commit();
          } catch (const Error& e) {
            threw = true;
            ++failures;
            QVERIFY2(std::string(e.what()).find("project") != std::string::npos, e.what());
          }
          g_writesLeft = -1;
          if (!threw) {  // this many writes let everything through: undo it for the next round
            if (auto m = p.model("new")) p.deleteModel(m->id);
            continue;
          }
        }  // the failed connection is closed here, as after a crash
        // The previous state is intact when the project is opened again.
        auto again = Project::open(path);
        auto models = again.models();
        QCOMPARE(models.size(), size_t(1));
        QCOMPARE(models[0].name, std::string("kept"));
        QCOMPARE(again.integrityCheck(), std::string("ok"));
      }
      QVERIFY(failures > 0);
    }
  }

  // Trains the tiny model for 6 epochs (8 batches each, a commit after every batch) while the
  // disk fails after `failAfter` more writes with `code` (SQLITE_FULL: disk full;
  // SQLITE_IOERR_WRITE: what a file system remounted read-only gives). Returns the error.
  std::string trainUntilTheDiskFails(const std::string& path, int code, int failAfter,
                                     std::int64_t& runId) {
    const ModelSpec spec = ModelSpec::fromKerasJson(tinyTopology(4, "small"));
    auto project = Project::open(path);
    RunRecord rec;
    rec.modelId = project.models().front().id;
    rec.spec = spec.toKerasJson();
    RunSettings settings;
    settings.compile.losses = {"mse"};
    settings.fit.epochs = 6;
    settings.fit.batchSize = 8;
    settings.fit.seed = 5;
    rec.settings = settings.toJson();
    runId = project.createRun(rec);
    Model model(spec, 11);
    Trainer trainer(model, settings.compile);
    RunRecorder recorder(project, runId, trainer);
    recorder.setCommitInterval(std::chrono::milliseconds(0));
    FitOptions fit;
    fit.epochs = 6;
    fit.batchSize = 8;
    fit.verbose = 0;
    fit.seed = 5;
    g_failCode = code;
    g_writesLeft = failAfter;
    std::string message;
    try {
      trainer.fit(tinyData(64, 3), fit, {}, &recorder);
    } catch (const Error& e) {
      message = e.what();
    }
    g_writesLeft = -1;
    return message;
  }

  void trainingFaults() {
    for (int code : {SQLITE_FULL, SQLITE_IOERR_WRITE}) {
      int stopped = 0;
      for (int failAfter : {0, 1, 2, 5, 9, 17, 33, 60, 100, 200, 400}) {
        const std::string path =
            dir_.filePath(QString("train%1_%2.tessel").arg(code).arg(failAfter)).toStdString();
        createTinyProject(path);
        std::int64_t runId = 0;
        const std::string message = trainUntilTheDiskFails(path, code, failAfter, runId);
        auto project = Project::open(path);  // the training connection is closed: as after exit
        QCOMPARE(project.integrityCheck(), std::string("ok"));
        const RunRecord run = *project.run(runId);
        if (message.empty()) {  // enough writes for the whole run
          QCOMPARE(run.status, RunStatus::Finished);
          continue;
        }
        ++stopped;
        const std::string why = code == SQLITE_FULL ? "database or disk is full" : "disk I/O error";
        QVERIFY2(message.rfind("training stopped: cannot write to the project file (", 0) == 0 &&
                     message.find(why) != std::string::npos,
                 message.c_str());
        QVERIFY2(run.status == RunStatus::Interrupted, runStatusName(run.status));
        // What was recorded is consistent: the last checkpoint's epoch has its epoch metrics,
        // and the run resumes from it.
        if (auto last = project.checkpoint(runId, "last")) {
          QVERIFY(!project.epochMetrics(runId).empty());
          QVERIFY(project.epochMetrics(runId).back().epoch >= last->epoch);
          QCOMPARE(resumePoint(project, runId).initialEpoch, last->epoch + 1);
        }
      }
      QVERIFY(stopped >= 5);
    }
  }

 private slots:
  void diskFullOrReadOnlyDuringTrainingStopsTheRun() {
    try {
      trainingFaults();
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
  }

  void failedCreateLeavesNoFile() {
    std::string path = dir_.filePath("never.tessel").toStdString();
    g_failCode = SQLITE_FULL;
    g_writesLeft = 0;
    QVERIFY_THROWS_EXCEPTION(Error, Project::create(path));
    g_writesLeft = -1;
    QVERIFY(!std::filesystem::exists(path));
  }
};

QTEST_APPLESS_MAIN(TestProjectFaults)
#include "tst_engine_project_faults.moc"
