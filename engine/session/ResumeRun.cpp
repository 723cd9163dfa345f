#include "engine/session/ResumeRun.h"

#include "engine/core/Error.h"
#include "engine/session/RecordedSettings.h"

namespace tessel {

ResumePoint resumePoint(const Project& project, std::int64_t runId, int epochs) {
  const std::string name = "run " + std::to_string(runId);
  auto run = project.run(runId);
  if (!run) throw Error("project has no " + name);
  ResumePoint p;
  p.run = *run;
  p.spec = ModelSpec::fromKerasJson(run->spec);
  p.settings = recordedSettings(*run);
  if (epochs > 0) p.settings.fit.epochs = epochs;
  auto last = project.checkpoint(runId, "last");
  if (!last)
    throw Error(name + " has no checkpoint yet (it ended before its first epoch); train it again");
  p.checkpoint = std::move(*last);
  p.initialEpoch = p.checkpoint.epoch + 1;
  p.allEpochsDone = p.initialEpoch >= p.settings.fit.epochs;
  return p;
}

}  // namespace tessel
