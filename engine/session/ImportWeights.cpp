#include "engine/session/ImportWeights.h"

namespace tessel {

std::int64_t recordImportedRun(Project& project, std::int64_t modelId, RunRecord run,
                               const Checkpoint& checkpoint) {
  // Inside a caller's transaction (a model imported with its run) it joins that one.
  const bool own = !project.inTransaction();
  if (own) project.begin();
  try {
    run.modelId = modelId;
    const std::int64_t runId = project.createRun(run);
    Checkpoint c = checkpoint;
    c.kind = "last";
    project.saveCheckpoint(runId, c);
    project.setRunStatus(runId, RunStatus::Finished);
    if (own) project.commit();
    return runId;
  } catch (...) {
    if (own) project.rollback();
    throw;
  }
}

}  // namespace tessel
