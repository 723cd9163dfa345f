#include <sqlite3.h>
#include <unistd.h>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/store/Project.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {
std::vector<std::uint8_t> readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void writeAll(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}
// Expects `f` to throw tessel::Error whose message contains `needle`.
template <class F>
void expectError(F f, const std::string& needle) {
  try {
    f();
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
    return;
  }
  QFAIL(("no error thrown, expected one containing: " + needle).c_str());
}
}  // namespace

class TestProject : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path file(const char* name) { return fs::path(dir_.path().toStdString()) / name; }

 private slots:
  void createSetsIdentityAndVersion() {
    auto path = file("a.tessel");
    { auto p = Project::create(path.string()); }
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, nullptr);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    QCOMPARE(sqlite3_column_int(st, 0), kProjectApplicationId);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    QCOMPARE(sqlite3_column_int(st, 0), kProjectSchemaVersion);
    sqlite3_finalize(st);
    sqlite3_close(db);
    QVERIFY(!fs::exists(path.string() + ".lock"));  // released on close
    expectError([&] { Project::create(path.string()); }, "exists");
  }

  void modelsAndRunsRoundTrip() {
    auto path = file("b.tessel");
    json spec = {{"class_name", "Functional"}, {"config", {{"name", "m"}}}};
    std::int64_t runId = 0, modelId = 0;
    {
      auto p = Project::create(path.string());
      modelId = p.addModel("classifier", spec, {{"dense", {{"x", 10}, {"y", 20}}}});
      p.addModel("regressor", spec);
      expectError([&] { p.addModel("classifier", spec); }, "already has a model");
      auto m = *p.model("classifier");
      m.dataSettings = {{"source", "fashion-mnist"}};
      m.compileSettings = {{"loss", "mse"}};
      p.updateModel(m);
      RunRecord r;
      r.modelId = modelId;
      r.name = "run 1";
      r.status = RunStatus::Running;
      r.spec = spec;
      r.settings = {{"epochs", 3}};
      r.seed = 42;
      r.dataHash = "d";
      r.graphHash = "g";
      r.engineVersion = "0.1.0";
      runId = p.createRun(r);
      p.begin();
      p.addEpochMetrics(runId, 0, {{"loss", 0.5}, {"val_loss", std::nan("")}});
      p.addEpochMetrics(runId, 1, {{"loss", 0.25}, {"val_loss", INFINITY}});
      p.addBatchMetrics(runId, 0, 0, {{"loss", 0.7}});
      p.addBatchMetrics(runId, 0, 1, {{"loss", -INFINITY}});
      p.commit();
      RunEvent e;
      e.kind = "best_epoch";
      e.epoch = 1;
      e.payload = {{"val_loss", 0.1}};
      p.addEvent(runId, e);
      p.setRunEpochsDone(runId, 2);
      p.setRunStatus(runId, RunStatus::Finished);
    }
    auto p = Project::open(path.string());
    auto models = p.models();
    QCOMPARE(models.size(), size_t(2));
    QCOMPARE(models[0].spec, spec);
    QCOMPARE(models[0].layout["dense"]["y"].get<int>(), 20);
    QCOMPARE(models[0].dataSettings["source"].get<std::string>(), std::string("fashion-mnist"));
    auto run = *p.run(runId);
    QCOMPARE(run.status, RunStatus::Finished);
    QVERIFY(!run.endedAt.empty());
    QCOMPARE(run.seed, std::uint64_t(42));
    QCOMPARE(run.epochsDone, 2);
    auto em = p.epochMetrics(runId);
    QCOMPARE(em.size(), size_t(4));
    QCOMPARE(em[0].name, std::string("loss"));
    QCOMPARE(em[0].value, 0.5);
    QVERIFY(std::isnan(em[1].value));                     // NaN survives
    QVERIFY(std::isinf(em[3].value) && em[3].value > 0);  // +Inf survives
    auto bm = p.batchMetrics(runId);
    QCOMPARE(bm.size(), size_t(2));
    QVERIFY(std::isinf(bm[1].value) && bm[1].value < 0);
    QCOMPARE(*p.bestMetric(runId, "loss"), 0.25);
    QVERIFY(!p.bestMetric(runId, "val_loss"));  // only non-finite values
    QCOMPARE(p.events(runId).size(), size_t(1));
    QCOMPARE(p.events(runId)[0].payload["val_loss"].get<double>(), 0.1);
    p.renameRun(runId, "renamed");
    QCOMPARE(p.run(runId)->name, std::string("renamed"));
    p.deleteModel(modelId);  // cascades to runs and metrics
    QVERIFY(!p.run(runId));
    QVERIFY(p.epochMetrics(runId).empty());
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  void checkpointsAreChunkedAndReplaced() {
    auto path = file("c.tessel");
    auto p = Project::create(path.string());
    auto m = p.addModel("m", json::object());
    RunRecord r;
    r.modelId = m;
    auto run = p.createRun(r);
    Checkpoint c;
    c.kind = "last";
    c.epoch = 3;
    c.step = 300;
    c.weights.resize(Project::kChunkSize * 2 + 123);
    for (size_t i = 0; i < c.weights.size(); ++i) c.weights[i] = std::uint8_t(i * 31 + 7);
    c.optimizer = {1, 2, 3};
    c.meta = {{"optimizer", "Adam"}};
    p.saveCheckpoint(run, c);
    c.epoch = 4;
    c.weights[5] = 99;
    p.saveCheckpoint(run, c);  // replaces
    auto back = *p.checkpoint(run, "last");
    QCOMPARE(back.epoch, 4);
    QVERIFY(back.weights == c.weights);
    QVERIFY(back.optimizer == c.optimizer);
    QCOMPARE(back.meta["optimizer"].get<std::string>(), std::string("Adam"));
    QVERIFY(!p.checkpoint(run, "best"));
    Checkpoint empty;
    empty.kind = "best";
    p.saveCheckpoint(run, empty);
    QVERIFY(p.checkpoint(run, "best")->weights.empty());
    c.kind = "middle";
    expectError([&] { p.saveCheckpoint(run, c); }, "'best' or 'last'");
  }

  void deadRunsBecomeInterrupted() {
    auto path = file("d.tessel");
    std::int64_t runId = 0, queuedId = 0;
    {
      auto p = Project::create(path.string());
      RunRecord r;
      r.modelId = p.addModel("m", json::object());
      r.status = RunStatus::Running;
      r.pid = 999999999;  // no such process
      runId = p.createRun(r);
      r.status = RunStatus::Queued;  // killed while loading its data, before its first batch
      queuedId = p.createRun(r);
    }
    {
      // Read-only changes nothing in the file, but reports the dead run as interrupted.
      auto ro = Project::open(path.string(), /*readOnly=*/true);
      QCOMPARE(ro.run(runId)->status, RunStatus::Interrupted);
      QCOMPARE(ro.runs().front().status, RunStatus::Interrupted);
      QVERIFY(ro.events(runId).empty());
    }
    auto p = Project::open(path.string());
    QCOMPARE(p.run(runId)->status, RunStatus::Interrupted);
    QCOMPARE(p.events(runId).back().kind, std::string("interrupted"));
    QCOMPARE(p.run(queuedId)->status, RunStatus::Interrupted);
  }

  void lockNamesTheHolder() {
    auto path = file("e.tessel");
    { auto p = Project::create(path.string()); }
    {
      std::ofstream lock(path.string() + ".lock");
      lock << 1 << "\n";  // pid 1 is always alive
    }
    expectError([&] { Project::open(path.string()); }, "pid 1");
    {
      std::ofstream lock(path.string() + ".lock");
      lock << 999999999 << "\n";  // stale lock of a dead process is taken over
    }
    auto p = Project::open(path.string());
    expectError([&] { Project::open(path.string()); }, "already open in this process");
  }

  void badFilesAreRefusedUntouched() {
    auto text = file("notes.tessel");
    writeAll(text, std::vector<std::uint8_t>(200, 'x'));
    expectError([&] { Project::open(text.string()); }, "not a Tessel project");
    QCOMPARE(readAll(text), std::vector<std::uint8_t>(200, 'x'));

    expectError([&] { Project::open(file("missing.tessel").string()); }, "no such file");

    auto other = file("other.db");  // an SQLite database that is not ours
    sqlite3* db = nullptr;
    sqlite3_open(other.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    auto before = readAll(other);
    expectError([&] { Project::open(other.string()); }, "not a Tessel project");
    QVERIFY(readAll(other) == before);

    auto good = file("good.tessel");
    {
      auto p = Project::create(good.string());
      auto m = p.addModel("m", json::object());
      RunRecord r;
      r.modelId = m;
      auto run = p.createRun(r);
      Checkpoint c;
      c.kind = "last";
      c.weights.assign(300000, 7);
      p.saveCheckpoint(run, c);
      p.setTrainingMode(false);
    }
    // Newer version.
    auto newer = file("newer.tessel");
    fs::copy_file(good, newer);
    sqlite3_open(newer.c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    before = readAll(newer);
    expectError([&] { Project::open(newer.string()); }, "newer Tessel");
    QVERIFY(readAll(newer) == before);

    // Truncated: half the file is gone.
    auto truncated = file("truncated.tessel");
    auto bytes = readAll(good);
    QVERIFY(bytes.size() > 8192);
    bytes.resize(bytes.size() / 2);
    writeAll(truncated, bytes);
    expectError([&] { Project::open(truncated.string()); }, "damaged");
    QVERIFY(readAll(truncated) == bytes);

    // A corrupted page in the middle.
    auto corrupt = file("corrupt.tessel");
    bytes = readAll(good);
    for (size_t i = 4096; i < 4096 + 2000; ++i) bytes[i] = 0xA5;  // models table root page
    writeAll(corrupt, bytes);
    expectError([&] { Project::open(corrupt.string()); }, "damaged");
    QVERIFY(readAll(corrupt) == bytes);
    QVERIFY(!fs::exists(corrupt.string() + ".lock"));
  }

  void saveCopyIsConsistentAndErrorsLeaveStateIntact() {
    auto path = file("f.tessel");
    auto p = Project::create(path.string());
    p.addModel("m", {{"k", 1}});
    auto copy = file("copy.tessel");
    p.saveCopy(copy.string());
    {
      auto c = Project::open(copy.string());
      QCOMPARE(c.models().size(), size_t(1));
      QCOMPARE(c.integrityCheck(), std::string("ok"));
    }
    if (geteuid() != 0) {  // root ignores directory permissions
      auto ro = file("readonly");
      fs::create_directory(ro);
      fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
      expectError([&] { p.saveCopy((ro / "x.tessel").string()); }, "cannot save a copy");
      fs::permissions(ro, fs::perms::owner_all);
    }
    expectError([&] { p.saveCopy(file("no/such/dir/x.tessel").string()); }, "cannot save a copy");
    QCOMPARE(p.models().size(), size_t(1));
    // A failed write inside a transaction rolls back completely.
    p.begin();
    p.addModel("n", json::object());
    try {
      p.addModel("n", json::object());
    } catch (const Error&) {
      p.rollback();
    }
    QCOMPARE(p.models().size(), size_t(1));
  }
};

QTEST_APPLESS_MAIN(TestProject)
#include "tst_engine_project.moc"
