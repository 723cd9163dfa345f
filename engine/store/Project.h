#pragma once
// A Tessel project: one SQLite file (the application file format) holding models (Keras JSON +
// node layout), data and compile settings, training runs with their full metric history, events
// and checkpoints. One Project object = one sqlite3 connection: use one per thread (the trainer
// writes through its own, the GUI reads through its own).
//
// Safety rules:
//  - open() checks, before writing anything, that the file is an SQLite database with Tessel's
//    application_id, a schema version this build knows, and that PRAGMA quick_check passes;
//    otherwise it throws Error and leaves the file untouched.
//  - a lock file "<path>.lock" holds the owning pid; opening a project another live process
//    holds throws Error naming that pid.
//  - runs left "running"/"paused" by a dead process become "interrupted" on open.
//  - NaN/Inf metric values are stored explicitly (SQLite turns NaN into NULL).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace tessel {

using json = nlohmann::json;

inline constexpr std::int32_t kProjectApplicationId = 0x54534C31;  // "TSL1"
inline constexpr int kProjectSchemaVersion = 2;  // 2: custom_classes (migrated from 1 on open)

enum class RunStatus { Queued, Running, Paused, Finished, Stopped, Failed, Interrupted };
const char* runStatusName(RunStatus s);
RunStatus runStatusFromName(const std::string& s);  // throws Error

struct ModelRecord {
  std::int64_t id = 0;
  std::string name;
  json spec;    // Keras functional JSON
  json layout;  // node positions and per-node UI state
  json dataSettings;
  json compileSettings;
};

struct RunRecord {
  std::int64_t id = 0;
  std::int64_t modelId = 0;
  std::string name;
  RunStatus status = RunStatus::Queued;
  std::string startedAt, endedAt;  // ISO 8601 UTC, empty when not set
  json spec;                       // the exact spec trained
  json settings;                   // data + compile + fit settings used
  std::uint64_t seed = 0;
  std::string dataHash, graphHash, engineVersion;
  std::string notes;
  int epochsDone = 0;
  std::int64_t pid = 0;
};

struct MetricPoint {
  int epoch = 0;
  std::int64_t step = 0;  // global batch index for batch metrics; -1 for epoch metrics
  std::string name;
  double value = 0;
};

struct RunEvent {
  std::int64_t id = 0;
  int epoch = 0;
  std::int64_t step = 0;
  std::string kind;  // best_epoch, checkpoint, lr_change, early_stop, pause, resume, nan, ...
  json payload;
  std::string time;
};

// A hyperparameter search over one model (config: the space and the search settings, JSON) and
// its trials, each tied to the run that trained it (ProjectSearches.cpp).
struct SearchRecord {
  std::int64_t id = 0;
  std::int64_t modelId = 0;
  json config;
  std::string createdAt;
};
struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t searchId = 0;
  std::int64_t runId = 0;       // 0 = none (its run was deleted)
  json params;                  // the trial's values and plan (engine/session/SearchRun.h)
  std::optional<double> score;  // none until the trial has finished
};

struct Checkpoint {
  std::int64_t id = 0;
  std::string kind;  // "best" or "last"
  int epoch = 0;
  std::int64_t step = 0;
  std::vector<std::uint8_t> weights;  // opaque blobs (chunked in the file)
  std::vector<std::uint8_t> optimizer;
  json meta;
};

class Project {
 public:
  // Creates a new project file (error if the path exists).
  static Project create(const std::string& path);
  // Opens an existing project (see the safety rules above). readOnly opens without the lock
  // file and without marking runs interrupted.
  static Project open(const std::string& path, bool readOnly = false);
  Project(Project&& other) noexcept;
  Project& operator=(Project&& other) noexcept;
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;
  ~Project();

  const std::string& path() const { return path_; }
  bool readOnly() const { return readOnly_; }

  // Models.
  std::int64_t addModel(const std::string& name, const json& spec, const json& layout = {});
  void updateModel(const ModelRecord& model);  // by id
  void renameModel(std::int64_t id, const std::string& name);
  void deleteModel(std::int64_t id);  // deletes its runs too
  std::vector<ModelRecord> models() const;
  std::optional<ModelRecord> model(const std::string& name) const;
  std::optional<ModelRecord> model(std::int64_t id) const;

  // Runs.
  std::int64_t createRun(const RunRecord& run);  // returns id; started_at set now if empty
  void setRunStatus(std::int64_t runId, RunStatus status);  // ended_at set for final states
  void setRunEpochsDone(std::int64_t runId, int epochs);
  void setRunNotes(std::int64_t runId, const std::string& notes);
  void renameRun(std::int64_t runId, const std::string& name);
  void deleteRun(std::int64_t runId);
  std::vector<RunRecord> runs(std::int64_t modelId = 0) const;  // 0 = all models
  std::optional<RunRecord> run(std::int64_t runId) const;
  // Best value of an epoch metric in a run (min for *loss*, max otherwise).
  std::optional<double> bestMetric(std::int64_t runId, const std::string& name) const;

  // Metrics: written in the caller's transaction batching (see beginBatch/commitBatch).
  void addEpochMetrics(std::int64_t runId, int epoch,
                       const std::vector<std::pair<std::string, double>>& logs);
  void addBatchMetrics(std::int64_t runId, int epoch, std::int64_t step,
                       const std::vector<std::pair<std::string, double>>& logs);
  std::vector<MetricPoint> epochMetrics(std::int64_t runId) const;
  std::vector<MetricPoint> batchMetrics(std::int64_t runId) const;
  void deleteMetricsAfter(std::int64_t runId, int epoch);  // for resume: drop rows past epoch

  // Events.
  std::int64_t addEvent(std::int64_t runId, const RunEvent& event);
  std::vector<RunEvent> events(std::int64_t runId) const;

  // Checkpoints ("best" and "last" per run; saving replaces the previous one of that kind).
  void saveCheckpoint(std::int64_t runId, const Checkpoint& checkpoint);
  std::optional<Checkpoint> checkpoint(std::int64_t runId, const std::string& kind) const;

  // Searches and trials (the trials of a search in id order).
  std::int64_t createSearch(std::int64_t modelId, const json& config);
  std::vector<SearchRecord> searches(std::int64_t modelId = 0) const;  // 0 = all models
  std::optional<SearchRecord> search(std::int64_t searchId) const;
  std::int64_t addTrial(const TrialRecord& trial);  // returns id
  void updateTrial(const TrialRecord& trial);       // run, params and score, by id
  std::vector<TrialRecord> trials(std::int64_t searchId) const;

  // Project-wide custom layer classes (the palette's "Custom" group): name -> definition JSON
  // ({"weights", "call", "params"}, see engine/io/KerasCustomClasses.h). Setting a name that
  // exists replaces its definition. A read-only open of a version-1 file has none.
  void setCustomClass(const std::string& name, const json& definition);
  void deleteCustomClass(const std::string& name);
  std::map<std::string, json> customClasses() const;

  // Project-wide saved blocks (the palette's "Blocks" group, ui/editor/BlockLibrary.h): name ->
  // {"model", "layout"} JSON. The table is made on the first write (no schema version change:
  // a file without blocks has none, an older build ignores it).
  void setBlock(const std::string& name, const json& definition);
  std::map<std::string, json> blocks() const;

  // Transactions: group writes (the trainer commits at least once a second and at epoch end).
  void begin();
  void commit();
  void rollback();
  bool inTransaction() const;

  // Training mode: WAL with synchronous=NORMAL (the default on open is WAL + FULL).
  void setTrainingMode(bool on);

  // A consistent copy of the whole project at `target` (VACUUM INTO a temporary file in the
  // target's folder, then rename). The open project is unchanged.
  void saveCopy(const std::string& target) const;

  // PRAGMA integrity_check result ("ok" when healthy).
  std::string integrityCheck() const;

  // The chunk size for checkpoint blobs (bytes); exposed for tests.
  static constexpr size_t kChunkSize = 1 << 20;
  // Files up to this size get a full PRAGMA quick_check on open.
  static constexpr std::uintmax_t kFullCheckBytes = 64ull << 20;

 private:
  Project() = default;
  void exec(const char* sql) const;
  void createSchema();
  void takeLock();
  void markInterruptedRuns();
  void migrate(int fromVersion);
  void close() noexcept;
  std::int64_t checkpointIdFor(std::int64_t runId, const std::string& kind) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string lockPath_;
  bool readOnly_ = false;
  mutable std::map<std::string, sqlite3_stmt*> statements_;
  sqlite3_stmt* prepare(const std::string& sql) const;
};

}  // namespace tessel
