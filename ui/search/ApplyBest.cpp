#include "ui/search/ApplyBest.h"

#include <QUndoStack>
#include <set>

#include "engine/search/ApplyHyperparameters.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

namespace {

// The trial's layer values as SetConfigCommand children of `parent`; the other values (compile
// and fit) into `compileValues`. Returns the number of layer values.
int addGraphValues(GraphDocument* doc, const SearchSpace& space, const nlohmann::json& values,
                   QUndoCommand* parent, nlohmann::json& compileValues) {
  int count = 0;
  compileValues = nlohmann::json::object();
  for (const auto& p : space.parameters()) {
    if (!values.contains(p.name)) continue;
    if (p.target.rfind("layers.", 0) == 0) {
      auto dot = p.target.rfind('.');
      const QString layer = QString::fromStdString(p.target.substr(7, dot - 7));
      const std::string key = p.target.substr(dot + 1);
      if (!doc->hasNode(layer)) continue;
      new SetConfigCommand(doc, layer, key, values[p.name], parent);
      ++count;
    } else {
      compileValues[p.name] = values[p.name];
    }
  }
  return count;
}

// The RunSettings form's compile key holds the training_config; applyHyperparameters edits it in
// place (the spec is left alone: its layers are set by the graph commands).
void applyCompileValues(const SearchSpace& space, const nlohmann::json& compileValues,
                        nlohmann::json& settings) {
  if (compileValues.empty()) return;
  nlohmann::json spec = nlohmann::json::object();
  applyHyperparameters(space, compileValues, spec, settings);
}

}  // namespace

int applyTrialValues(GraphDocument* doc, QUndoStack* stack, const SearchSpace& space,
                     const nlohmann::json& values, const SettingsGetter& get,
                     const SettingsSetter& set) {
  auto* parent = new QUndoCommand(QObject::tr("Apply best trial"));
  nlohmann::json compileValues;
  int count = addGraphValues(doc, space, values, parent, compileValues);
  const nlohmann::json before = get();
  nlohmann::json after = before;
  applyCompileValues(space, compileValues, after);
  if (after != before) {
    new SetSettingsCommand(before, after, get, set, parent);
    count += static_cast<int>(compileValues.size());
  }
  if (parent->childCount())
    stack->push(parent);  // redo: the graph values, then the settings
  else
    delete parent;
  return count;
}

SetSettingsCommand::SetSettingsCommand(nlohmann::json before, nlohmann::json after,
                                       SettingsGetter get, SettingsSetter set, QUndoCommand* parent)
    : QUndoCommand(QObject::tr("Apply compile settings"), parent),
      before_(std::move(before)),
      after_(std::move(after)),
      get_(std::move(get)),
      set_(std::move(set)),
      shown_(before_) {}

void SetSettingsCommand::redo() {
  turn(before_, after_);
}

void SetSettingsCommand::undo() {
  turn(after_, before_);
}

void SetSettingsCommand::turn(const nlohmann::json& from, const nlohmann::json& to) {
  nlohmann::json current = get_();
  if (!current.is_object()) return;  // nothing to write into (the panel is gone)
  const nlohmann::json f = from.flatten(), t = to.flatten(), shown = shown_.flatten();
  std::set<std::string> leaves;
  for (auto it = f.begin(); it != f.end(); ++it) leaves.insert(it.key());
  for (auto it = t.begin(); it != t.end(); ++it) leaves.insert(it.key());
  bool changed = false;
  for (const std::string& leaf : leaves) {
    if (f.contains(leaf) && t.contains(leaf) && f[leaf] == t[leaf]) continue;  // not this step's
    const nlohmann::json::json_pointer ptr(leaf);
    // Only where the settings still hold what the last turn left there (as the panel shows it,
    // e.g. rounded): a value edited since is kept.
    const bool has = current.contains(ptr);
    if (shown.contains(leaf) ? (!has || current[ptr] != shown[leaf]) : has) continue;
    if (t.contains(leaf)) {
      current[ptr] = t[leaf];
    } else {
      nlohmann::json& container = current[ptr.parent_pointer()];
      if (container.is_object())
        container.erase(ptr.back());
      else if (container.is_array())
        container.erase(static_cast<size_t>(std::stoul(ptr.back())));
    }
    changed = true;
  }
  if (!changed) return;
  set_(current);
  shown_ = get_();
}

}  // namespace tessel::ui
