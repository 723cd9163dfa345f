#include "engine/store/Project.h"

#include <algorithm>

#include "engine/store/SqlStatement.h"

namespace tessel {

// ---- checkpoints -------------------------------------------------------------------------

std::int64_t Project::checkpointIdFor(std::int64_t runId, const std::string& kind) const {
  SqlStatement s(prepare("SELECT id FROM checkpoints WHERE run_id=? AND kind=?"));
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
      SqlStatement d(prepare("DELETE FROM checkpoints WHERE run_id=? AND kind=?"));
      d.bind(1, runId).bind(2, c.kind).run();
    }
    {
      SqlStatement s(
          prepare("INSERT INTO checkpoints(run_id, kind, epoch, step, meta_json, created_at) "
                  "VALUES(?,?,?,?,?,?)"));
      s.bind(1, runId).bind(2, c.kind).bind(3, c.epoch).bind(4, c.step);
      s.bind(5, (c.meta.is_null() ? json::object() : c.meta).dump()).bind(6, nowIso()).run();
    }
    std::int64_t id = sqlite3_last_insert_rowid(db_);
    SqlStatement chunk(
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
    SqlStatement s(
        prepare("SELECT id, epoch, step, meta_json FROM checkpoints WHERE run_id=? AND kind=?"));
    s.bind(1, runId).bind(2, kind);
    if (!s.step()) return std::nullopt;
    c.id = s.i64(0);
    c.kind = kind;
    c.epoch = static_cast<int>(s.i64(1));
    c.step = s.i64(2);
    c.meta = parseJsonColumn(s.text(3));
  }
  SqlStatement s(
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

}  // namespace tessel
