#include "engine/store/Project.h"

#include "engine/store/SqlStatement.h"

namespace tessel {

namespace {

bool isFinalStatus(RunStatus s) {
  return s == RunStatus::Finished || s == RunStatus::Stopped || s == RunStatus::Failed ||
         s == RunStatus::Interrupted;
}

}  // namespace

// ---- runs --------------------------------------------------------------------------------

std::int64_t Project::createRun(const RunRecord& r) {
  SqlStatement s(prepare(
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
  SqlStatement s(
      prepare("UPDATE runs SET status=?, ended_at=CASE WHEN ? THEN ? ELSE ended_at END, "
              "pid=CASE WHEN ? THEN ? ELSE pid END WHERE id=?"));
  bool final = isFinalStatus(status);
  bool live = status == RunStatus::Running || status == RunStatus::Paused;
  s.bind(1, std::string(runStatusName(status))).bind(2, final ? 1 : 0).bind(3, nowIso());
  s.bind(4, live ? 1 : 0).bind(5, static_cast<std::int64_t>(getpid())).bind(6, runId).run();
  if (sqlite3_changes(db_) == 0) throw Error("no run with id " + std::to_string(runId));
}

void Project::setRunEpochsDone(std::int64_t runId, int epochs) {
  SqlStatement s(prepare("UPDATE runs SET epochs_done=? WHERE id=?"));
  s.bind(1, epochs).bind(2, runId).run();
}

void Project::setRunNotes(std::int64_t runId, const std::string& notes) {
  SqlStatement s(prepare("UPDATE runs SET notes=? WHERE id=?"));
  s.bind(1, notes).bind(2, runId).run();
}

void Project::renameRun(std::int64_t runId, const std::string& name) {
  SqlStatement s(prepare("UPDATE runs SET name=? WHERE id=?"));
  s.bind(1, name).bind(2, runId).run();
}

void Project::deleteRun(std::int64_t runId) {
  SqlStatement s(prepare("DELETE FROM runs WHERE id=?"));
  s.bind(1, runId).run();
}

#define TESSEL_RUN_COLUMNS                                                                    \
  "SELECT id, model_id, name, status, started_at, ended_at, spec_json, settings_json, seed, " \
  "data_hash, graph_hash, engine_version, notes, epochs_done, pid FROM runs"

static RunRecord readRun(SqlStatement& s) {
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

// A read-only connection (Project::open(path, true)) marks nothing, but runs() and run() report a
// run whose training process is gone as `interrupted`, as the next read-write open records it
// (`tessel runs` after a crash says so).
static RunRecord withLiveStatus(RunRecord r, bool readOnly) {
  if (readOnly &&
      (r.status == RunStatus::Queued || r.status == RunStatus::Running ||
       r.status == RunStatus::Paused) &&
      !processAlive(r.pid))
    r.status = RunStatus::Interrupted;
  return r;
}

std::vector<RunRecord> Project::runs(std::int64_t modelId) const {
  std::vector<RunRecord> out;
  SqlStatement s(prepare(TESSEL_RUN_COLUMNS " WHERE ?=0 OR model_id=? ORDER BY id"));
  s.bind(1, modelId).bind(2, modelId);
  while (s.step()) out.push_back(withLiveStatus(readRun(s), readOnly_));
  return out;
}

std::optional<RunRecord> Project::run(std::int64_t runId) const {
  SqlStatement s(prepare(TESSEL_RUN_COLUMNS " WHERE id=?"));
  s.bind(1, runId);
  if (s.step()) return withLiveStatus(readRun(s), readOnly_);
  return std::nullopt;
}

std::optional<double> Project::bestMetric(std::int64_t runId, const std::string& name) const {
  bool lower = name.find("loss") != std::string::npos || name.find("error") != std::string::npos ||
               name == "mse" || name == "mae" || name == "mape" || name == "rmse" ||
               name.ends_with("_mse") || name.ends_with("_mae");
  SqlStatement s(prepare(lower
                             ? "SELECT MIN(value) FROM epoch_metrics WHERE run_id=? AND name=? AND "
                               "value_kind=0"
                             : "SELECT MAX(value) FROM epoch_metrics WHERE run_id=? AND name=? AND "
                               "value_kind=0"));
  s.bind(1, runId).bind(2, name);
  if (s.step() && !s.isNull(0)) return s.dbl(0);
  return std::nullopt;
}

}  // namespace tessel
