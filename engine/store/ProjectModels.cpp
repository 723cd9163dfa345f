#include "engine/store/Project.h"

#include "engine/store/SqlStatement.h"

namespace tessel {

// ---- models ------------------------------------------------------------------------------

std::int64_t Project::addModel(const std::string& name, const json& spec, const json& layout) {
  if (name.empty()) throw Error("a model needs a name");
  if (model(name)) throw Error("the project already has a model named '" + name + "'");
  std::string now = nowIso();
  SqlStatement s(
      prepare("INSERT INTO models(name, spec_json, layout_json, created_at, modified_at) "
              "VALUES(?,?,?,?,?)"));
  s.bind(1, name).bind(2, spec.dump()).bind(3, (layout.is_null() ? json::object() : layout).dump());
  s.bind(4, now).bind(5, now).run();
  return sqlite3_last_insert_rowid(db_);
}

void Project::updateModel(const ModelRecord& m) {
  SqlStatement s(
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
  SqlStatement s(prepare("DELETE FROM models WHERE id=?"));
  s.bind(1, id).run();
}

static ModelRecord readModel(SqlStatement& s) {
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
  SqlStatement s(prepare(TESSEL_MODEL_COLUMNS " ORDER BY id"));
  while (s.step()) out.push_back(readModel(s));
  return out;
}

std::optional<ModelRecord> Project::model(const std::string& name) const {
  SqlStatement s(prepare(TESSEL_MODEL_COLUMNS " WHERE name=?"));
  s.bind(1, name);
  if (s.step()) return readModel(s);
  return std::nullopt;
}

std::optional<ModelRecord> Project::model(std::int64_t id) const {
  SqlStatement s(prepare(TESSEL_MODEL_COLUMNS " WHERE id=?"));
  s.bind(1, id);
  if (s.step()) return readModel(s);
  return std::nullopt;
}

}  // namespace tessel
