#include "engine/store/Project.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/store/SqlStatement.h"

// The Project class is spread over files by idea: this file opens, creates, locks and copies the
// file; ProjectSchema.cpp holds the schema; ProjectModels.cpp, ProjectRuns.cpp,
// ProjectMetrics.cpp (metrics and events) and ProjectCheckpoints.cpp the tables' reads and writes.

namespace tessel {

namespace fs = std::filesystem;

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
    SqlStatement s(p.prepare("PRAGMA user_version"));
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
        SqlStatement s(p.prepare(sql));
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
  if (!readOnly && version < kProjectSchemaVersion) p.migrate(version);
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
    // A queued run of a dead process was killed before its first batch (while loading data).
    SqlStatement s(
        prepare("SELECT id, pid FROM runs WHERE status IN ('queued','running','paused')"));
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

// ---- whole file --------------------------------------------------------------------------

void Project::saveCopy(const std::string& target) const {
  fs::path t(target);
  fs::path tmp = t.parent_path() / (t.filename().string() + ".tmp-" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  SqlStatement s(prepare("VACUUM INTO ?"));
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
  SqlStatement s(prepare("PRAGMA integrity_check"));
  while (s.step()) result += (result.empty() ? "" : "; ") + s.text(0);
  return result;
}

}  // namespace tessel
