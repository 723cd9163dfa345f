#pragma once
// The project file's SQL plumbing, shared by the Project*.cpp files (not part of the public API):
// a guard for cached prepared statements, and the column helpers (ISO times, JSON columns, the
// pid check of the lock file and of runs left running).
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/Error.h"

namespace tessel {

// The current time as ISO 8601 UTC ("2024-01-31T12:00:00Z").
inline std::string nowIso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A process with that pid is running (ours included).
inline bool processAlive(std::int64_t pid) {
  if (pid <= 0) return false;
  if (pid == getpid()) return true;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// A JSON column: null when empty; text that does not parse gives a discarded value.
inline nlohmann::json parseJsonColumn(const std::string& text) {
  if (text.empty()) return nullptr;
  return nlohmann::json::parse(text, nullptr, false);
}

// Statement guard: reset + clear bindings on scope exit (statements are cached).
struct SqlStatement {
  sqlite3_stmt* s;
  sqlite3* db;
  explicit SqlStatement(sqlite3_stmt* st) : s(st), db(sqlite3_db_handle(st)) {}
  ~SqlStatement() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
  SqlStatement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(s, i, v)); }
  SqlStatement& bind(int i, int v) { return check(sqlite3_bind_int64(s, i, v)); }
  SqlStatement& bind(int i, double v) { return check(sqlite3_bind_double(s, i, v)); }
  SqlStatement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  SqlStatement& bindNull(int i) { return check(sqlite3_bind_null(s, i)); }
  SqlStatement& bindBlob(int i, const void* p, size_t n) {
    return check(sqlite3_bind_blob64(s, i, p, n, SQLITE_TRANSIENT));
  }
  SqlStatement& check(int rc) {
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

}  // namespace tessel
