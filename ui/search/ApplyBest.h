#pragma once
// "Apply best to model": a trial's layer values ("layers.<layer>.<key>" targets) go into the
// graph document as ONE undo step (a parent command holding one SetConfigCommand per value); the
// compile and fit values (optimizer, optimizer.<key>, batch_size, epochs) are written into the
// given settings JSON ({"compile", "fit", ...}, the CompilePanel::settings() form) for the
// compile panel to take.
#include <QString>
#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"

class QUndoStack;

namespace tessel::ui {

class GraphDocument;

// Returns the number of graph values set (0 pushes nothing).
int applyTrialValues(GraphDocument* doc, QUndoStack* stack, const SearchSpace& space,
                     const nlohmann::json& values, nlohmann::json* settings = nullptr);

}  // namespace tessel::ui
