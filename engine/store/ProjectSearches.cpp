#include "engine/store/Project.h"

#include "engine/store/SqlStatement.h"

namespace tessel {

// ---- searches and trials -------------------------------------------------------------------

std::int64_t Project::createSearch(std::int64_t modelId, const json& config) {
  SqlStatement s(prepare("INSERT INTO searches(model_id, config_json, created_at) VALUES(?,?,?)"));
  s.bind(1, modelId).bind(2, config.dump()).bind(3, nowIso()).run();
  return sqlite3_last_insert_rowid(db_);
}

namespace {

SearchRecord searchFrom(const SqlStatement& s) {
  SearchRecord r;
  r.id = s.i64(0);
  r.modelId = s.i64(1);
  r.config = parseJsonColumn(s.text(2));
  r.createdAt = s.text(3);
  return r;
}

}  // namespace

std::vector<SearchRecord> Project::searches(std::int64_t modelId) const {
  SqlStatement s(
      prepare("SELECT id, model_id, config_json, created_at FROM searches WHERE ?=0 OR model_id=? "
              "ORDER BY id"));
  s.bind(1, modelId).bind(2, modelId);
  std::vector<SearchRecord> out;
  while (s.step()) out.push_back(searchFrom(s));
  return out;
}

std::optional<SearchRecord> Project::search(std::int64_t searchId) const {
  SqlStatement s(prepare("SELECT id, model_id, config_json, created_at FROM searches WHERE id=?"));
  s.bind(1, searchId);
  if (!s.step()) return std::nullopt;
  return searchFrom(s);
}

std::int64_t Project::addTrial(const TrialRecord& t) {
  SqlStatement s(
      prepare("INSERT INTO trials(search_id, run_id, params_json, score) VALUES(?,?,?,?)"));
  s.bind(1, t.searchId);
  if (t.runId)
    s.bind(2, t.runId);
  else
    s.bindNull(2);
  s.bind(3, t.params.dump());
  if (t.score)
    s.bind(4, *t.score);
  else
    s.bindNull(4);
  s.run();
  return sqlite3_last_insert_rowid(db_);
}

void Project::updateTrial(const TrialRecord& t) {
  SqlStatement s(prepare("UPDATE trials SET run_id=?, params_json=?, score=? WHERE id=?"));
  if (t.runId)
    s.bind(1, t.runId);
  else
    s.bindNull(1);
  s.bind(2, t.params.dump());
  if (t.score)
    s.bind(3, *t.score);
  else
    s.bindNull(3);
  s.bind(4, t.id).run();
  if (sqlite3_changes(db_) == 0) throw Error("no trial with id " + std::to_string(t.id));
}

std::vector<TrialRecord> Project::trials(std::int64_t searchId) const {
  SqlStatement s(
      prepare("SELECT id, search_id, run_id, params_json, score FROM trials WHERE search_id=? "
              "ORDER BY id"));
  s.bind(1, searchId);
  std::vector<TrialRecord> out;
  while (s.step()) {
    TrialRecord t;
    t.id = s.i64(0);
    t.searchId = s.i64(1);
    t.runId = s.isNull(2) ? 0 : s.i64(2);
    t.params = parseJsonColumn(s.text(3));
    if (!s.isNull(4)) t.score = s.dbl(4);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace tessel
