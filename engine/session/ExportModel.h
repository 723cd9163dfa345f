#pragma once
// Picking the trained weights of a project and exporting them: the checkpoint of a run the
// command line's export / predict and the studio's "Export trained model" use.
#include <cstdint>
#include <optional>
#include <string>

#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"

namespace tessel {

// The checkpoint of run `runId` to use: `kind` ("best" or "last") when the run has it, else the
// other one; nullopt when the run has no checkpoint (it ended before its first epoch).
std::optional<Checkpoint> pickCheckpoint(const Project& project, std::int64_t runId,
                                         const std::string& kind = "best");

// The newest run of model `modelId` that has a checkpoint; with `spec`, only runs of exactly that
// Keras JSON (a model edited since its runs has no trained weights). nullopt when none.
std::optional<RunRecord> latestTrainedRun(const Project& project, std::int64_t modelId,
                                          const nlohmann::json* spec = nullptr);

// A run's trained model: its spec, its training_config and the weights of `checkpoint`.
// Throws tessel::Error when the checkpoint does not fit the spec.
ModelFile runModelFile(const RunRecord& run, const Checkpoint& checkpoint);

// "run 3 (best checkpoint, epoch 7)".
std::string checkpointDescription(const RunRecord& run, const Checkpoint& checkpoint);

}  // namespace tessel
