#include "engine/store/Project.h"
#include "engine/store/SqlStatement.h"

namespace tessel {

// ---- custom layer classes ------------------------------------------------------------------

void Project::setCustomClass(const std::string& name, const json& definition) {
  if (name.empty()) throw Error("a custom class needs a name");
  SqlStatement s(
      prepare("INSERT INTO custom_classes(name, definition_json, modified_at) VALUES(?,?,?) "
              "ON CONFLICT(name) DO UPDATE SET definition_json=excluded.definition_json, "
              "modified_at=excluded.modified_at"));
  s.bind(1, name).bind(2, definition.dump()).bind(3, nowIso()).run();
}

void Project::deleteCustomClass(const std::string& name) {
  SqlStatement s(prepare("DELETE FROM custom_classes WHERE name=?"));
  s.bind(1, name).run();
}

std::map<std::string, json> Project::customClasses() const {
  std::map<std::string, json> out;
  {
    // A version-1 file opened read-only (not migrated) has no table.
    SqlStatement t(
        prepare("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='custom_classes'"));
    if (!t.step()) return out;
  }
  SqlStatement s(prepare("SELECT name, definition_json FROM custom_classes ORDER BY name"));
  while (s.step()) out[s.text(0)] = parseJsonColumn(s.text(1));
  return out;
}

}  // namespace tessel
