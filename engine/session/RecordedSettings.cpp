#include "engine/session/RecordedSettings.h"

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"

namespace tessel {

using json = nlohmann::json;

json runTrainingConfig(const RunRecord& run) {
  if (!run.settings.is_object()) return nullptr;
  const json compile = run.settings.value("compile", json());
  if (!compile.is_object()) return nullptr;
  if (compile.contains("training_config")) return compile["training_config"];
  if (compile.contains("loss")) return compile;
  return nullptr;
}

std::vector<std::string> recordedArgv(const RunRecord& run) {
  if (!run.settings.is_object() || !run.settings.contains("argv")) return {};
  try {
    return run.settings["argv"].get<std::vector<std::string>>();
  } catch (const json::exception&) {
    return {};
  }
}

RunSettings recordedSettings(const RunRecord& run) {
  const std::string who = "run " + std::to_string(run.id) + ": ";
  try {
    std::vector<std::string> outputs;
    if (run.spec.is_object()) outputs = ModelSpec::fromKerasJson(run.spec).outputs;
    if (!run.settings.is_object() || !run.settings.contains("argv"))
      return RunSettings::fromJson(run.settings, outputs);
    RunSettings s;
    json tc = runTrainingConfig(run);
    if (!tc.is_null()) s.compile = CompileOptions::fromTrainingConfig(tc, outputs);
    s.fit.seed = run.seed;
    return s;
  } catch (const Error& e) {
    throw Error(who + e.what());
  }
}

}  // namespace tessel
