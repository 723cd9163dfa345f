#pragma once
// Reading the settings a run was recorded with. Runs are recorded with RunSettings::toJson();
// project files may also hold runs recorded by earlier command lines, whose settings are
// {"argv": [the train command line], "compile": {"training_config": ...}}: their compile settings
// are read from there and their command line is kept for resuming.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"

namespace tessel {

// The Keras training_config a run was compiled with (either form above); null when it has none.
nlohmann::json runTrainingConfig(const RunRecord& run);

// The train command line of a run recorded in the argv form (empty otherwise).
std::vector<std::string> recordedArgv(const RunRecord& run);

// The RunSettings of a run (RunSettings::fromJson with the run's output names). For the argv form
// only the compile settings and the seed are known; fit and data keep their defaults. Throws
// tessel::Error ("run N: run settings: ...") when the settings are malformed.
RunSettings recordedSettings(const RunRecord& run);

}  // namespace tessel
