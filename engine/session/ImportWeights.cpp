#include "engine/session/ImportWeights.h"

namespace tessel {

std::int64_t recordImportedRun(Project& project, std::int64_t modelId, RunRecord run,
                               const Checkpoint& checkpoint) {
  project.begin();
  try {
    run.modelId = modelId;
    const std::int64_t runId = project.createRun(run);
    Checkpoint c = checkpoint;
    c.kind = "last";
    project.saveCheckpoint(runId, c);
    project.setRunStatus(runId, RunStatus::Finished);
    project.commit();
    return runId;
  } catch (...) {
    project.rollback();
    throw;
  }
}

}  // namespace tessel
