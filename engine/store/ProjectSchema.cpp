#include "engine/store/Project.h"

#include "engine/store/SqlStatement.h"

namespace tessel {

namespace {

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

// Version 2: project-wide custom layer classes.
const char* kCustomClasses = R"sql(
CREATE TABLE custom_classes(
  name TEXT PRIMARY KEY,
  definition_json TEXT NOT NULL,
  modified_at TEXT NOT NULL);
)sql";

}  // namespace

// ---- schema ------------------------------------------------------------------------------

void Project::createSchema() {
  exec("BEGIN IMMEDIATE");
  try {
    exec(kSchema);
    exec(kCustomClasses);
    exec(("PRAGMA application_id = " + std::to_string(kProjectApplicationId)).c_str());
    exec(("PRAGMA user_version = " + std::to_string(kProjectSchemaVersion)).c_str());
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// Forward migrations, one version at a time, each in its own transaction.
void Project::migrate(int fromVersion) {
  for (int v = fromVersion; v < kProjectSchemaVersion; ++v) {
    exec("BEGIN IMMEDIATE");
    try {
      if (v == 1) exec(kCustomClasses);
      exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

}  // namespace tessel
