#pragma once
// "Apply best to model": a trial's layer values ("layers.<layer>.<key>" targets) go into the
// graph document as ONE undo step (a parent command holding one SetConfigCommand per value); the
// compile and fit values (optimizer, optimizer.<key>, loss_weights.<output>, batch_size, epochs)
// are written into settings of the CompilePanel::settings() form ({"compile", "fit", ...})
// through a getter and a setter (the compile panel's), as one more child of the same undo step.
// The compile panel has no undo of its own, so that child's undo and redo change only the
// leaves Apply changed, and only those that still hold what the step left there: a value edited
// by hand in the panel since is kept.
#include <QString>
#include <QUndoCommand>
#include <functional>
#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"

class QUndoStack;

namespace tessel::ui {

class GraphDocument;

// The graph values and the compile/fit values in one undo step ("Apply best trial"): `get` reads
// the settings the values go into, `set` writes them (called by the step's redo and undo).
// Returns the number of values set, graph and settings (0 pushes nothing).
using SettingsGetter = std::function<nlohmann::json()>;
using SettingsSetter = std::function<void(const nlohmann::json&)>;
int applyTrialValues(GraphDocument* doc, QUndoStack* stack, const SearchSpace& space,
                     const nlohmann::json& values, const SettingsGetter& get,
                     const SettingsSetter& set);

// The settings child of that step (exposed for tests): redo turns the leaves that differ between
// `before` and `after` to after's values, undo back to before's, each leaf only where the
// current settings (get) still hold what the previous turn left there (read back after it: the
// panel may round a value).
class SetSettingsCommand : public QUndoCommand {
 public:
  SetSettingsCommand(nlohmann::json before, nlohmann::json after, SettingsGetter get,
                     SettingsSetter set, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  void turn(const nlohmann::json& from, const nlohmann::json& to);
  nlohmann::json before_, after_;
  SettingsGetter get_;
  SettingsSetter set_;
  nlohmann::json shown_;  // get() after the last turn (before_ at first)
};

}  // namespace tessel::ui
