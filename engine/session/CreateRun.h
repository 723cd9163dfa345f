#pragma once
// Creating a training run record: the one place that says what a run records, used by the
// command line (`tessel train PROJECT`) and the studio (Train) alike, so both write the same
// record for the same settings:
//   spec           the exact Keras functional JSON trained
//   settings       RunSettings::toJson()
//   seed           settings.fit.seed
//   graph_hash     graphHash(spec)
//   data_hash      settings.dataHash() (DataSettings::hash(), "" when the data has no settings)
//   engine_version TESSEL_VERSION
#include <cstdint>
#include <string>

#include "engine/graph/ModelSpec.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"

namespace tessel {

// 16 lowercase hex digits of 64-bit FNV-1a over spec.toKerasJson().dump() (nlohmann writes keys
// sorted, so the same graph gives the same hash on every machine).
std::string graphHash(const ModelSpec& spec);

// The record of a new run of model `modelId` (not written; name "run N" is left to createRun).
RunRecord newRunRecord(std::int64_t modelId, const ModelSpec& spec, const RunSettings& settings);

// Writes newRunRecord(...) into `project` with `name` ("" = "run N", N = the model's run count
// + 1) and returns its id (status queued until a RunRecorder starts it).
std::int64_t createRun(Project& project, std::int64_t modelId, const ModelSpec& spec,
                       const RunSettings& settings, const std::string& name = {});

}  // namespace tessel
