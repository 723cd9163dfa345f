#pragma once
// Adding a model read from a file (an ONNX model, engine/io/OnnxImport.h) to a project with its
// weights kept as an "imported" run, as the studio does for a model.json with weights
// (ui/shell/ModelFileController): the run is finished, its "last" checkpoint holds the weights,
// so it can be predicted with, exported and trained further.
#include <cstdint>
#include <string>

#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"

namespace tessel {

struct ImportedModel {
  std::int64_t modelId = 0;
  std::int64_t runId = 0;  // 0 when the file has no weights
};

// The weights of `model` as a weights-only checkpoint ("last"; meta names and shapes them).
Checkpoint weightsCheckpoint(Model& model);

// In one transaction: the model `name` (file.spec; file.trainingConfig as its compile settings
// when set) and, when the file has weights, the run "imported <file name>" holding them. On any
// error (a name already used, weights not fitting the spec) nothing is written.
ImportedModel importModelFile(Project& project, const std::string& name, const ModelFile& file,
                              const std::string& sourcePath);

}  // namespace tessel
