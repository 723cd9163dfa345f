#pragma once
// The user callbacks of a run's settings (RunSettings::callbacksJson(): Keras serializations
// [{"class_name", "config"}]), built through the callback catalog for the CLI and the studio alike.
// A ModelCheckpoint without a filepath (empty or missing) keeps its checkpoints in the project
// only: its filepath becomes "project:{epoch:02d}", which the saver does not write to disk.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"

namespace tessel {

// Throws Error for an unknown class, key or value (the catalog's message). `saver` writes what
// ModelCheckpoint saves (none: nothing is written). Callbacks' verbose lines go nowhere.
std::vector<std::unique_ptr<Callback>> makeCallbacks(
    const nlohmann::json& callbacks,
    const std::function<void(const std::string& path, bool weightsOnly)>& saver = {});

}  // namespace tessel
