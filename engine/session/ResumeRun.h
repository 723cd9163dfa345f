#pragma once
// Resuming a recorded run: its spec and settings as recorded and its "last" checkpoint (weights
// and optimizer state), so training continues the same run, curves and epoch count.
#include <cstdint>

#include "engine/graph/ModelSpec.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"

namespace tessel {

struct ResumePoint {
  RunRecord run;
  ModelSpec spec;         // the spec the run trained
  RunSettings settings;   // recordedSettings(run); fit.epochs replaced by the caller's epochs > 0
  Checkpoint checkpoint;  // "last": weights + optimizer state
  // The epoch to continue from (checkpoint.epoch + 1) and whether the run already reached
  // settings.fit.epochs.
  int initialEpoch = 0;
  bool allEpochsDone = false;
};

// Throws tessel::Error when the run does not exist, its settings are malformed or it has no
// checkpoint yet (it ended before its first epoch).
ResumePoint resumePoint(const Project& project, std::int64_t runId, int epochs = 0);

}  // namespace tessel
