#include "engine/store/Project.h"

#include <cmath>
#include <limits>

#include "engine/store/SqlStatement.h"

namespace tessel {

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

}  // namespace

// ---- metrics -----------------------------------------------------------------------------

void Project::addEpochMetrics(std::int64_t runId, int epoch,
                              const std::vector<std::pair<std::string, double>>& logs) {
  SqlStatement s(
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
  SqlStatement s(
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
  SqlStatement s(
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
  SqlStatement s(
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
    SqlStatement s(prepare("DELETE FROM epoch_metrics WHERE run_id=? AND epoch>?"));
    s.bind(1, runId).bind(2, epoch).run();
  }
  SqlStatement s(prepare("DELETE FROM batch_metrics WHERE run_id=? AND epoch>?"));
  s.bind(1, runId).bind(2, epoch).run();
}

// ---- events ------------------------------------------------------------------------------

std::int64_t Project::addEvent(std::int64_t runId, const RunEvent& e) {
  SqlStatement s(
      prepare("INSERT INTO events(run_id, epoch, step, kind, payload_json, time) "
              "VALUES(?,?,?,?,?,?)"));
  s.bind(1, runId).bind(2, e.epoch).bind(3, e.step).bind(4, e.kind);
  s.bind(5, (e.payload.is_null() ? json::object() : e.payload).dump());
  s.bind(6, e.time.empty() ? nowIso() : e.time).run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<RunEvent> Project::events(std::int64_t runId) const {
  std::vector<RunEvent> out;
  SqlStatement s(
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

}  // namespace tessel
