#include "engine/store/Project.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/core/Error.h"

namespace tessel {

namespace fs = std::filesystem;

namespace {

// Stored kind of a metric value: SQLite has no NaN (it becomes NULL), so non-finite values are
// stored as NULL with an explicit kind.
enum ValueKind { kFinite = 0, kNaN = 1, kPosInf = 2, kNegInf = 3 };

int valueKind(double v) {
  if (std::isnan(v)) return kNaN;
  if (std::isinf(v)) return v > 0 ? kPosInf : kNegInf;
  return kFinite;
}

double valueFromKind(int kind, double stored) {
  switch (kind) {
    case kNaN:
      return std::numeric_limits<double>::quiet_NaN();
    case kPosInf:
      return std::numeric_limits<double>::infinity();
    case kNegInf:
      return -std::numeric_limits<double>::infinity();
    default:
      return stored;
  }
}

std::string nowIso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool isFinalStatus(RunStatus s) {
  return s == RunStatus::Finished || s == RunStatus::Stopped || s == RunStatus::Failed ||
         s == RunStatus::Interrupted;
}

bool processAlive(std::int64_t pid) {
  if (pid <= 0) return false;
  if (pid == getpid()) return true;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Statement guard: reset + clear bindings on scope exit (statements are cached).
struct Stmt {
  sqlite3_stmt* s;
  sqlite3* db;
  explicit Stmt(sqlite3_stmt* st) : s(st), db(sqlite3_db_handle(st)) {}
  ~Stmt() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
  Stmt& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(s, i, v)); }
  Stmt& bind(int i, int v) { return check(sqlite3_bind_int64(s, i, v)); }
  Stmt& bind(int i, double v) { return check(sqlite3_bind_double(s, i, v)); }
  Stmt& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& bindNull(int i) { return check(sqlite3_bind_null(s, i)); }
  Stmt& bindBlob(int i, const void* p, size_t n) {
    return check(sqlite3_bind_blob64(s, i, p, n, SQLITE_TRANSIENT));
  }
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) throw Error(std::string("project file: ") + sqlite3_errmsg(db));
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("project file: ") + sqlite3_errmsg(db));
  }
  void run() {
    while (step()) {
    }
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s, c); }
  double dbl(int c) const { return sqlite3_column_double(s, c); }
  bool isNull(int c) const { return sqlite3_column_type(s, c) == SQLITE_NULL; }
  std::string text(int c) const {
    auto* p = sqlite3_column_text(s, c);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, c))
             : std::string();
  }
  std::vector<std::uint8_t> blob(int c) const {
    auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, c));
    return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(s, c))
             : std::vector<std::uint8_t>();
  }
};

json parseJsonColumn(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::parse(text, nullptr, false);
}

const char* kSchema = R"sql(
CREATE TABLE models(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  spec_json TEXT NOT NULL,
  layout_json TEXT NOT NULL DEFAULT '{}',
  data_settings_json TEXT NOT NULL DEFAULT '{}',
  compile_settings_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN
    ('queued','running','paused','finished','stopped','failed','interrupted')),
  started_at TEXT, ended_at TEXT,
  spec_json TEXT NOT NULL, settings_json TEXT NOT NULL,
  seed INTEGER NOT NULL DEFAULT 0,
  data_hash TEXT NOT NULL DEFAULT '', graph_hash TEXT NOT NULL DEFAULT '',
  engine_version TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  epochs_done INTEGER NOT NULL DEFAULT 0,
  pid INTEGER NOT NULL DEFAULT 0);
CREATE INDEX runs_model ON runs(model_id);
CREATE TABLE epoch_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, name TEXT NOT NULL,
  value REAL, value_kind INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_id, epoch, name)) WITHOUT ROWID;
CREATE TABLE batch_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL, epoch INTEGER NOT NULL, name TEXT NOT NULL,
  value REAL, value_kind INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_id, step, name)) WITHOUT ROWID;
CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, step INTEGER NOT NULL,
  kind TEXT NOT NULL, payload_json TEXT NOT NULL DEFAULT '{}', time TEXT NOT NULL);
CREATE INDEX events_run ON events(run_id);
CREATE TABLE checkpoints(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK(kind IN ('best','last')),
  epoch INTEGER NOT NULL, step INTEGER NOT NULL,
  meta_json TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,
  UNIQUE(run_id, kind));
CREATE TABLE checkpoint_chunks(
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
  part TEXT NOT NULL CHECK(part IN ('weights','optimizer')),
  seq INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(checkpoint_id, part, seq)) WITHOUT ROWID;
-- Room for hyperparameter search: a search over one model, trials each tied to a run.
CREATE TABLE searches(
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  config_json TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE trials(
  id INTEGER PRIMARY KEY,
  search_id INTEGER NOT NULL REFERENCES searches(id) ON DELETE CASCADE,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  params_json TEXT NOT NULL, score REAL);
)sql";

}  // namespace

const char* runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Queued:
      return "queued";
    case RunStatus::Running:
      return "running";
    case RunStatus::Paused:
      return "paused";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Stopped:
      return "stopped";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  return "queued";
}

RunStatus runStatusFromName(const std::string& s) {
  for (auto st : {RunStatus::Queued, RunStatus::Running, RunStatus::Paused, RunStatus::Finished,
                  RunStatus::Stopped, RunStatus::Failed, RunStatus::Interrupted})
    if (s == runStatusName(st)) return st;
  throw Error("project file: unknown run status '" + s + "'");
}

Project::Project(Project&& o) noexcept {
  *this = std::move(o);
}

Project& Project::operator=(Project&& o) noexcept {
  if (this != &o) {
    close();
    db_ = o.db_;
    path_ = std::move(o.path_);
    lockPath_ = std::move(o.lockPath_);
    readOnly_ = o.readOnly_;
    statements_ = std::move(o.statements_);
    o.db_ = nullptr;
    o.statements_.clear();
    o.lockPath_.clear();
  }
  return *this;
}

Project::~Project() {
  close();
}

void Project::close() noexcept {
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
  statements_.clear();
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
  if (!lockPath_.empty()) {
    std::error_code ec;
    fs::remove(lockPath_, ec);
    lockPath_.clear();
  }
}

void Project::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw Error("project file " + path_ + ": " + msg);
  }
}

sqlite3_stmt* Project::prepare(const std::string& sql) const {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
      SQLITE_OK)
    throw Error("project file: " + std::string(sqlite3_errmsg(db_)) + " in: " + sql);
  statements_[sql] = st;
  return st;
}

void Project::takeLock() {
  lockPath_.clear();
  std::string lock = path_ + ".lock";
  for (int attempt = 0; attempt < 2; ++attempt) {
    // O_EXCL create: only one process wins.
    FILE* f = std::fopen(lock.c_str(), "wx");
    if (f) {
      std::fprintf(f, "%lld\n", static_cast<long long>(getpid()));
      std::fclose(f);
      lockPath_ = lock;
      return;
    }
    long long pid = 0;
    if (std::ifstream in(lock); in) in >> pid;
    if (processAlive(pid) && pid != getpid())
      throw Error("project " + path_ + " is open in another Tessel process (pid " +
                  std::to_string(pid) + "); close it there first");
    if (pid == getpid()) throw Error("project " + path_ + " is already open in this process");
    std::error_code ec;
    fs::remove(lock, ec);  // stale lock of a dead process
  }
  throw Error("project " + path_ + ": cannot create lock file " + lock);
}

void Project::createSchema() {
  exec("BEGIN IMMEDIATE");
  try {
    exec(kSchema);
    exec(("PRAGMA application_id = " + std::to_string(kProjectApplicationId)).c_str());
    exec(("PRAGMA user_version = " + std::to_string(kProjectSchemaVersion)).c_str());
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

Project Project::create(const std::string& path) {
  if (fs::exists(path)) throw Error("cannot create project " + path + ": the file exists");
  Project p;
  p.path_ = path;
  if (sqlite3_open_v2(path.c_str(), &p.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = p.db_ ? sqlite3_errmsg(p.db_) : "out of memory";
    p.close();
    std::error_code ec;
    fs::remove(path, ec);
    throw Error("cannot create project " + path + ": " + msg);
  }
  try {
    p.takeLock();
    p.exec("PRAGMA foreign_keys = ON");
    p.exec("PRAGMA journal_mode = WAL");
    p.exec("PRAGMA synchronous = FULL");
    p.createSchema();
  } catch (...) {
    p.close();
    std::error_code ec;
    fs::remove(path, ec);
    fs::remove(path + "-wal", ec);
    fs::remove(path + "-shm", ec);
    throw;
  }
  return p;
}

Project Project::open(const std::string& path, bool readOnly) {
  // 1. Look at the bytes before SQLite touches the file.
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open project " + path + ": no such file or not readable");
    char header[100] = {};
    in.read(header, sizeof header);
    if (in.gcount() < 100 || std::memcmp(header, "SQLite format 3", 16) != 0)
      throw Error("cannot open " + path + ": not a Tessel project (not an SQLite database)");
    std::uint32_t appId = (std::uint8_t(header[68]) << 24) | (std::uint8_t(header[69]) << 16) |
                          (std::uint8_t(header[70]) << 8) | std::uint8_t(header[71]);
    if (appId != static_cast<std::uint32_t>(kProjectApplicationId))
      throw Error("cannot open " + path + ": an SQLite database, but not a Tessel project");
  }
  Project p;
  p.path_ = path;
  p.readOnly_ = readOnly;
  int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &p.db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = p.db_ ? sqlite3_errmsg(p.db_) : "out of memory";
    throw Error("cannot open project " + path + ": " + msg);
  }
  if (!readOnly) p.takeLock();
  sqlite3_busy_timeout(p.db_, 2000);
  // 2. Version and health checks (reads only). Any SQLite error here means a damaged file.
  int version = 0;
  std::string health;
  try {
    Stmt s(p.prepare("PRAGMA user_version"));
    if (s.step()) version = static_cast<int>(s.i64(0));
  } catch (const Error& e) {
    health = e.what();
  }
  if (health.empty() && version > kProjectSchemaVersion)
    throw Error("cannot open " + path + ": made by a newer Tessel (project version " +
                std::to_string(version) + ", this build reads up to " +
                std::to_string(kProjectSchemaVersion) + ")");
  if (health.empty() && version < 1)
    throw Error("cannot open " + path + ": project schema missing (version 0)");
  if (health.empty()) {
    try {
      // Full quick_check up to kFullCheckBytes; above that only the tables that are read on
      // open (the big metric and checkpoint tables are checked by integrityCheck() on demand,
      // and a damaged page there still gives a clear Error when read), so a project with
      // millions of batch rows opens in milliseconds.
      std::error_code ec;
      auto bytes = fs::file_size(path, ec);
      std::vector<std::string> checks;
      if (ec || bytes <= kFullCheckBytes) {
        checks.push_back("PRAGMA quick_check");
      } else {
        for (const char* t : {"sqlite_schema", "models", "runs", "events", "checkpoints",
                              "epoch_metrics", "searches", "trials"})
          checks.push_back(std::string("PRAGMA quick_check(") + t + ")");
      }
      for (const auto& sql : checks) {
        Stmt s(p.prepare(sql));
        std::string one;
        while (s.step()) one += (one.empty() ? "" : "; ") + s.text(0);
        if (one != "ok") {
          health = one;
          break;
        }
        health = "ok";
      }
    } catch (const Error& e) {
      health = e.what();
    }
  }
  if (health != "ok")
    throw Error("cannot open " + path + ": the file is damaged (" + health.substr(0, 200) + ")");
  // Forward migrations would run here, one version at a time, each in its own transaction.
  p.exec("PRAGMA foreign_keys = ON");
  if (!readOnly) {
    p.exec("PRAGMA synchronous = FULL");
    p.markInterruptedRuns();
  }
  return p;
}

void Project::markInterruptedRuns() {
  std::vector<std::int64_t> dead;
  {
    Stmt s(prepare("SELECT id, pid FROM runs WHERE status IN ('running','paused')"));
    while (s.step())
      if (!processAlive(s.i64(1)) || s.i64(1) == getpid()) dead.push_back(s.i64(0));
  }
  for (auto id : dead) {
    setRunStatus(id, RunStatus::Interrupted);
    RunEvent e;
    e.kind = "interrupted";
    e.payload = {{"reason", "the training process ended without closing the run"}};
    addEvent(id, e);
  }
}

void Project::setTrainingMode(bool on) {
  exec(on ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
}

void Project::begin() {
  exec("BEGIN IMMEDIATE");
}
void Project::commit() {
  exec("COMMIT");
}
void Project::rollback() {
  if (inTransaction()) exec("ROLLBACK");
}
bool Project::inTransaction() const {
  return db_ && !sqlite3_get_autocommit(db_);
}

// ---- models ------------------------------------------------------------------------------

std::int64_t Project::addModel(const std::string& name, const json& spec, const json& layout) {
  if (name.empty()) throw Error("a model needs a name");
  if (model(name)) throw Error("the project already has a model named '" + name + "'");
  std::string now = nowIso();
  Stmt s(
      prepare("INSERT INTO models(name, spec_json, layout_json, created_at, modified_at) "
              "VALUES(?,?,?,?,?)"));
  s.bind(1, name).bind(2, spec.dump()).bind(3, (layout.is_null() ? json::object() : layout).dump());
  s.bind(4, now).bind(5, now).run();
  return sqlite3_last_insert_rowid(db_);
}

void Project::updateModel(const ModelRecord& m) {
  Stmt s(
      prepare("UPDATE models SET name=?, spec_json=?, layout_json=?, data_settings_json=?, "
              "compile_settings_json=?, modified_at=? WHERE id=?"));
  auto orEmpty = [](const json& j) { return (j.is_null() ? json::object() : j).dump(); };
  s.bind(1, m.name).bind(2, m.spec.dump()).bind(3, orEmpty(m.layout));
  s.bind(4, orEmpty(m.dataSettings)).bind(5, orEmpty(m.compileSettings)).bind(6, nowIso());
  s.bind(7, m.id).run();
  if (sqlite3_changes(db_) == 0) throw Error("no model with id " + std::to_string(m.id));
}

void Project::renameModel(std::int64_t id, const std::string& name) {
  auto m = model(id);
  if (!m) throw Error("no model with id " + std::to_string(id));
  if (auto other = model(name); other && other->id != id)
    throw Error("the project already has a model named '" + name + "'");
  m->name = name;
  updateModel(*m);
}

void Project::deleteModel(std::int64_t id) {
  Stmt s(prepare("DELETE FROM models WHERE id=?"));
  s.bind(1, id).run();
}

static ModelRecord readModel(Stmt& s) {
  ModelRecord m;
  m.id = s.i64(0);
  m.name = s.text(1);
  m.spec = parseJsonColumn(s.text(2));
  m.layout = parseJsonColumn(s.text(3));
  m.dataSettings = parseJsonColumn(s.text(4));
  m.compileSettings = parseJsonColumn(s.text(5));
  return m;
}

#define TESSEL_MODEL_COLUMNS \
  "SELECT id, name, spec_json, layout_json, data_settings_json, compile_settings_json FROM models"

std::vector<ModelRecord> Project::models() const {
  std::vector<ModelRecord> out;
  Stmt s(prepare(TESSEL_MODEL_COLUMNS " ORDER BY id"));
  while (s.step()) out.push_back(readModel(s));
  return out;
}

std::optional<ModelRecord> Project::model(const std::string& name) const {
  Stmt s(prepare(TESSEL_MODEL_COLUMNS " WHERE name=?"));
  s.bind(1, name);
  if (s.step()) return readModel(s);
  return std::nullopt;
}

std::optional<ModelRecord> Project::model(std::int64_t id) const {
  Stmt s(prepare(TESSEL_MODEL_COLUMNS " WHERE id=?"));
  s.bind(1, id);
  if (s.step()) return readModel(s);
  return std::nullopt;
}

// ---- runs --------------------------------------------------------------------------------

std::int64_t Project::createRun(const RunRecord& r) {
  Stmt s(prepare(
      "INSERT INTO runs(model_id, name, status, started_at, ended_at, spec_json, settings_json, "
      "seed, data_hash, graph_hash, engine_version, notes, epochs_done, pid) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  s.bind(1, r.modelId).bind(2, r.name).bind(3, std::string(runStatusName(r.status)));
  s.bind(4, r.startedAt.empty() ? nowIso() : r.startedAt);
  if (r.endedAt.empty())
    s.bindNull(5);
  else
    s.bind(5, r.endedAt);
  s.bind(6, r.spec.dump()).bind(7, r.settings.dump());
  s.bind(8, static_cast<std::int64_t>(r.seed)).bind(9, r.dataHash).bind(10, r.graphHash);
  s.bind(11, r.engineVersion).bind(12, r.notes).bind(13, r.epochsDone);
  s.bind(14, static_cast<std::int64_t>(r.pid ? r.pid : getpid()));
  s.run();
  return sqlite3_last_insert_rowid(db_);
}

void Project::setRunStatus(std::int64_t runId, RunStatus status) {
  Stmt s(
      prepare("UPDATE runs SET status=?, ended_at=CASE WHEN ? THEN ? ELSE ended_at END, "
              "pid=CASE WHEN ? THEN ? ELSE pid END WHERE id=?"));
  bool final = isFinalStatus(status);
  bool live = status == RunStatus::Running || status == RunStatus::Paused;
  s.bind(1, std::string(runStatusName(status))).bind(2, final ? 1 : 0).bind(3, nowIso());
  s.bind(4, live ? 1 : 0).bind(5, static_cast<std::int64_t>(getpid())).bind(6, runId).run();
  if (sqlite3_changes(db_) == 0) throw Error("no run with id " + std::to_string(runId));
}

void Project::setRunEpochsDone(std::int64_t runId, int epochs) {
  Stmt s(prepare("UPDATE runs SET epochs_done=? WHERE id=?"));
  s.bind(1, epochs).bind(2, runId).run();
}

void Project::setRunNotes(std::int64_t runId, const std::string& notes) {
  Stmt s(prepare("UPDATE runs SET notes=? WHERE id=?"));
  s.bind(1, notes).bind(2, runId).run();
}

void Project::renameRun(std::int64_t runId, const std::string& name) {
  Stmt s(prepare("UPDATE runs SET name=? WHERE id=?"));
  s.bind(1, name).bind(2, runId).run();
}

void Project::deleteRun(std::int64_t runId) {
  Stmt s(prepare("DELETE FROM runs WHERE id=?"));
  s.bind(1, runId).run();
}

#define TESSEL_RUN_COLUMNS                                                                    \
  "SELECT id, model_id, name, status, started_at, ended_at, spec_json, settings_json, seed, " \
  "data_hash, graph_hash, engine_version, notes, epochs_done, pid FROM runs"

static RunRecord readRun(Stmt& s) {
  RunRecord r;
  r.id = s.i64(0);
  r.modelId = s.i64(1);
  r.name = s.text(2);
  r.status = runStatusFromName(s.text(3));
  r.startedAt = s.text(4);
  r.endedAt = s.text(5);
  r.spec = parseJsonColumn(s.text(6));
  r.settings = parseJsonColumn(s.text(7));
  r.seed = static_cast<std::uint64_t>(s.i64(8));
  r.dataHash = s.text(9);
  r.graphHash = s.text(10);
  r.engineVersion = s.text(11);
  r.notes = s.text(12);
  r.epochsDone = static_cast<int>(s.i64(13));
  r.pid = s.i64(14);
  return r;
}

std::vector<RunRecord> Project::runs(std::int64_t modelId) const {
  std::vector<RunRecord> out;
  Stmt s(prepare(TESSEL_RUN_COLUMNS " WHERE ?=0 OR model_id=? ORDER BY id"));
  s.bind(1, modelId).bind(2, modelId);
  while (s.step()) out.push_back(readRun(s));
  return out;
}

std::optional<RunRecord> Project::run(std::int64_t runId) const {
  Stmt s(prepare(TESSEL_RUN_COLUMNS " WHERE id=?"));
  s.bind(1, runId);
  if (s.step()) return readRun(s);
  return std::nullopt;
}

std::optional<double> Project::bestMetric(std::int64_t runId, const std::string& name) const {
  bool lower = name.find("loss") != std::string::npos || name.find("error") != std::string::npos ||
               name == "mse" || name == "mae" || name == "mape" || name == "rmse" ||
               name.ends_with("_mse") || name.ends_with("_mae");
  Stmt s(prepare(lower ? "SELECT MIN(value) FROM epoch_metrics WHERE run_id=? AND name=? AND "
                         "value_kind=0"
                       : "SELECT MAX(value) FROM epoch_metrics WHERE run_id=? AND name=? AND "
                         "value_kind=0"));
  s.bind(1, runId).bind(2, name);
  if (s.step() && !s.isNull(0)) return s.dbl(0);
  return std::nullopt;
}

// ---- metrics -----------------------------------------------------------------------------

void Project::addEpochMetrics(std::int64_t runId, int epoch,
                              const std::vector<std::pair<std::string, double>>& logs) {
  Stmt s(
      prepare("INSERT OR REPLACE INTO epoch_metrics(run_id, epoch, name, value, value_kind) "
              "VALUES(?,?,?,?,?)"));
  for (const auto& [name, v] : logs) {
    int kind = valueKind(v);
    s.bind(1, runId).bind(2, epoch).bind(3, name);
    if (kind == kFinite)
      s.bind(4, v);
    else
      s.bindNull(4);
    s.bind(5, kind).run();
    sqlite3_reset(s.s);
  }
}

void Project::addBatchMetrics(std::int64_t runId, int epoch, std::int64_t step,
                              const std::vector<std::pair<std::string, double>>& logs) {
  Stmt s(
      prepare("INSERT OR REPLACE INTO batch_metrics(run_id, step, epoch, name, value, "
              "value_kind) VALUES(?,?,?,?,?,?)"));
  for (const auto& [name, v] : logs) {
    int kind = valueKind(v);
    s.bind(1, runId).bind(2, step).bind(3, epoch).bind(4, name);
    if (kind == kFinite)
      s.bind(5, v);
    else
      s.bindNull(5);
    s.bind(6, kind).run();
    sqlite3_reset(s.s);
  }
}

std::vector<MetricPoint> Project::epochMetrics(std::int64_t runId) const {
  std::vector<MetricPoint> out;
  Stmt s(
      prepare("SELECT epoch, name, value, value_kind FROM epoch_metrics WHERE run_id=? "
              "ORDER BY epoch, name"));
  s.bind(1, runId);
  while (s.step())
    out.push_back({static_cast<int>(s.i64(0)), -1, s.text(1),
                   valueFromKind(static_cast<int>(s.i64(3)), s.dbl(2))});
  return out;
}

std::vector<MetricPoint> Project::batchMetrics(std::int64_t runId) const {
  std::vector<MetricPoint> out;
  Stmt s(
      prepare("SELECT epoch, step, name, value, value_kind FROM batch_metrics WHERE run_id=? "
              "ORDER BY step, name"));
  s.bind(1, runId);
  while (s.step())
    out.push_back({static_cast<int>(s.i64(0)), s.i64(1), s.text(2),
                   valueFromKind(static_cast<int>(s.i64(4)), s.dbl(3))});
  return out;
}

void Project::deleteMetricsAfter(std::int64_t runId, int epoch) {
  {
    Stmt s(prepare("DELETE FROM epoch_metrics WHERE run_id=? AND epoch>?"));
    s.bind(1, runId).bind(2, epoch).run();
  }
  Stmt s(prepare("DELETE FROM batch_metrics WHERE run_id=? AND epoch>?"));
  s.bind(1, runId).bind(2, epoch).run();
}

// ---- events ------------------------------------------------------------------------------

std::int64_t Project::addEvent(std::int64_t runId, const RunEvent& e) {
  Stmt s(
      prepare("INSERT INTO events(run_id, epoch, step, kind, payload_json, time) "
              "VALUES(?,?,?,?,?,?)"));
  s.bind(1, runId).bind(2, e.epoch).bind(3, e.step).bind(4, e.kind);
  s.bind(5, (e.payload.is_null() ? json::object() : e.payload).dump());
  s.bind(6, e.time.empty() ? nowIso() : e.time).run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<RunEvent> Project::events(std::int64_t runId) const {
  std::vector<RunEvent> out;
  Stmt s(
      prepare("SELECT id, epoch, step, kind, payload_json, time FROM events WHERE run_id=? "
              "ORDER BY id"));
  s.bind(1, runId);
  while (s.step()) {
    RunEvent e;
    e.id = s.i64(0);
    e.epoch = static_cast<int>(s.i64(1));
    e.step = s.i64(2);
    e.kind = s.text(3);
    e.payload = parseJsonColumn(s.text(4));
    e.time = s.text(5);
    out.push_back(std::move(e));
  }
  return out;
}

// ---- checkpoints -------------------------------------------------------------------------

std::int64_t Project::checkpointIdFor(std::int64_t runId, const std::string& kind) const {
  Stmt s(prepare("SELECT id FROM checkpoints WHERE run_id=? AND kind=?"));
  s.bind(1, runId).bind(2, kind);
  return s.step() ? s.i64(0) : 0;
}

void Project::saveCheckpoint(std::int64_t runId, const Checkpoint& c) {
  if (c.kind != "best" && c.kind != "last")
    throw Error("checkpoint kind must be 'best' or 'last', not '" + c.kind + "'");
  bool own = !inTransaction();
  if (own) begin();
  try {
    {
      Stmt d(prepare("DELETE FROM checkpoints WHERE run_id=? AND kind=?"));
      d.bind(1, runId).bind(2, c.kind).run();
    }
    {
      Stmt s(
          prepare("INSERT INTO checkpoints(run_id, kind, epoch, step, meta_json, created_at) "
                  "VALUES(?,?,?,?,?,?)"));
      s.bind(1, runId).bind(2, c.kind).bind(3, c.epoch).bind(4, c.step);
      s.bind(5, (c.meta.is_null() ? json::object() : c.meta).dump()).bind(6, nowIso()).run();
    }
    std::int64_t id = sqlite3_last_insert_rowid(db_);
    Stmt chunk(
        prepare("INSERT INTO checkpoint_chunks(checkpoint_id, part, seq, data) "
                "VALUES(?,?,?,?)"));
    auto writeBlob = [&](const std::string& part, const std::vector<std::uint8_t>& bytes) {
      // Always at least one chunk (possibly empty), so a saved part is distinguishable.
      static const std::uint8_t kEmpty = 0;
      size_t n = bytes.size();
      size_t chunks = n == 0 ? 1 : (n + kChunkSize - 1) / kChunkSize;
      for (size_t seq = 0; seq < chunks; ++seq) {
        size_t off = seq * kChunkSize, len = std::min(kChunkSize, n - off);
        chunk.bind(1, id).bind(2, part).bind(3, static_cast<std::int64_t>(seq));
        chunk.bindBlob(4, n ? bytes.data() + off : &kEmpty, len).run();
        sqlite3_reset(chunk.s);
      }
    };
    writeBlob("weights", c.weights);
    writeBlob("optimizer", c.optimizer);
    if (own) commit();
  } catch (...) {
    if (own) rollback();
    throw;
  }
}

std::optional<Checkpoint> Project::checkpoint(std::int64_t runId, const std::string& kind) const {
  Checkpoint c;
  {
    Stmt s(prepare("SELECT id, epoch, step, meta_json FROM checkpoints WHERE run_id=? AND kind=?"));
    s.bind(1, runId).bind(2, kind);
    if (!s.step()) return std::nullopt;
    c.id = s.i64(0);
    c.kind = kind;
    c.epoch = static_cast<int>(s.i64(1));
    c.step = s.i64(2);
    c.meta = parseJsonColumn(s.text(3));
  }
  Stmt s(
      prepare("SELECT part, data FROM checkpoint_chunks WHERE checkpoint_id=? "
              "ORDER BY part, seq"));
  s.bind(1, c.id);
  while (s.step()) {
    auto part = s.text(0);
    auto data = s.blob(1);
    auto& dst = part == "weights" ? c.weights : c.optimizer;
    dst.insert(dst.end(), data.begin(), data.end());
  }
  return c;
}

// ---- whole file --------------------------------------------------------------------------

void Project::saveCopy(const std::string& target) const {
  fs::path t(target);
  fs::path tmp = t.parent_path() / (t.filename().string() + ".tmp-" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  Stmt s(prepare("VACUUM INTO ?"));
  try {
    s.bind(1, tmp.string()).run();
  } catch (const Error& e) {
    fs::remove(tmp, ec);
    throw Error("cannot save a copy to " + target + ": " + e.what());
  }
  fs::rename(tmp, t, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot save a copy to " + target + ": " + ec.message());
  }
}

std::string Project::integrityCheck() const {
  std::string result;
  Stmt s(prepare("PRAGMA integrity_check"));
  while (s.step()) result += (result.empty() ? "" : "; ") + s.text(0);
  return result;
}

}  // namespace tessel
