#include "engine/session/ExportModel.h"

#include "engine/session/CheckpointRestore.h"
#include "engine/session/RecordedSettings.h"

namespace tessel {

std::optional<Checkpoint> pickCheckpoint(const Project& project, std::int64_t runId,
                                         const std::string& kind) {
  if (auto c = project.checkpoint(runId, kind)) return c;
  return project.checkpoint(runId, kind == "best" ? "last" : "best");
}

std::optional<RunRecord> latestTrainedRun(const Project& project, std::int64_t modelId,
                                          const nlohmann::json* spec) {
  auto runs = project.runs(modelId);
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (spec && it->spec != *spec) continue;
    if (project.checkpoint(it->id, "last") || project.checkpoint(it->id, "best")) return *it;
  }
  return std::nullopt;
}

ModelFile runModelFile(const RunRecord& run, const Checkpoint& checkpoint) {
  ModelFile file;
  file.spec = ModelSpec::fromKerasJson(run.spec);
  file.trainingConfig = runTrainingConfig(run);
  file.weights = checkpointWeights(file.spec, checkpoint);
  return file;
}

std::string checkpointDescription(const RunRecord& run, const Checkpoint& checkpoint) {
  return "run " + std::to_string(run.id) + " (" + checkpoint.kind + " checkpoint, epoch " +
         std::to_string(checkpoint.epoch + 1) + ")";
}

}  // namespace tessel
