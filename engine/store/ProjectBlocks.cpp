#include "engine/store/Project.h"
#include "engine/store/SqlStatement.h"

namespace tessel {

// ---- saved blocks (composite layers of the palette) -----------------------------------------

void Project::setBlock(const std::string& name, const json& definition) {
  if (name.empty()) throw Error("a block needs a name");
  exec(
      "CREATE TABLE IF NOT EXISTS blocks(name TEXT PRIMARY KEY, definition_json TEXT NOT NULL, "
      "modified_at TEXT NOT NULL)");
  SqlStatement s(
      prepare("INSERT INTO blocks(name, definition_json, modified_at) VALUES(?,?,?) "
              "ON CONFLICT(name) DO UPDATE SET definition_json=excluded.definition_json, "
              "modified_at=excluded.modified_at"));
  s.bind(1, name).bind(2, definition.dump()).bind(3, nowIso()).run();
}

std::map<std::string, json> Project::blocks() const {
  std::map<std::string, json> out;
  {
    SqlStatement t(prepare("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='blocks'"));
    if (!t.step()) return out;
  }
  SqlStatement s(prepare("SELECT name, definition_json FROM blocks ORDER BY name"));
  while (s.step()) out[s.text(0)] = parseJsonColumn(s.text(1));
  return out;
}

}  // namespace tessel
