#pragma once
// Recording weights loaded from a file (a Keras / TF.js model.json) as a finished run of a
// model, so they can be predicted with, exported and trained further like trained weights.
#include <cstdint>

#include "engine/store/Project.h"

namespace tessel {

// In one transaction: creates `run` as a run of `modelId`, saves `checkpoint` as its "last"
// checkpoint and marks it finished. Returns the run id; on an error nothing is written.
std::int64_t recordImportedRun(Project& project, std::int64_t modelId, RunRecord run,
                               const Checkpoint& checkpoint);

}  // namespace tessel
