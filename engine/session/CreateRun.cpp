#include "engine/session/CreateRun.h"

#include <cstdio>

#include "engine/data/CsvDataset.h"

namespace tessel {

std::string graphHash(const ModelSpec& spec) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(fnv1a64(spec.toKerasJson().dump())));
  return buf;
}

RunRecord newRunRecord(std::int64_t modelId, const ModelSpec& spec, const RunSettings& settings) {
  RunRecord run;
  run.modelId = modelId;
  run.spec = spec.toKerasJson();
  run.settings = settings.toJson();
  run.seed = settings.fit.seed;
  run.graphHash = graphHash(spec);
  run.dataHash = settings.dataHash();
  run.engineVersion = TESSEL_VERSION;
  return run;
}

std::int64_t createRun(Project& project, std::int64_t modelId, const ModelSpec& spec,
                       const RunSettings& settings, const std::string& name) {
  RunRecord run = newRunRecord(modelId, spec, settings);
  run.name = name.empty() ? "run " + std::to_string(project.runs(modelId).size() + 1) : name;
  return project.createRun(run);
}

}  // namespace tessel
