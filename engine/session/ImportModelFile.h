#pragma once
// Keras / TF.js model and weights files in and out of a project, as the command line and the
// studio use them: a model file becomes a model with an "imported <file>" run whose last
// checkpoint holds the file's weights (with the optimizer state when the file has one that fits
// its training config); a weights file becomes such a run of an existing model; a run's
// checkpoint becomes a model file with its optimizer state.
#include <cstdint>
#include <string>

#include "engine/io/KerasArchive.h"
#include "engine/store/Project.h"

namespace tessel {

// The checkpoint of `weights` for a fresh model of `spec` (Keras order, names and shapes in
// meta, as RunRecorder's makeCheckpoint writes them). With `optimizerWeights` (TF.js names) and a
// training config they fit, the optimizer state is kept too; `note` says what was kept.
Checkpoint importedCheckpoint(const ModelSpec& spec, const NamedWeights& weights,
                              const NamedWeights& optimizerWeights, const json& trainingConfig,
                              std::string* note = nullptr);

struct ImportedModel {
  std::int64_t modelId = 0;
  std::int64_t runId = 0;  // 0 when the file had no weights
  std::string note;        // " with Adam optimizer state (7 steps)" or why it was not kept
};

// Reads `path` (readAnyModelFile: .keras, .h5, model.json) and adds it as model `name` (default:
// the model's name) with its training config as compile settings and, when the file has
// weights, an imported run. One transaction: on any error nothing is written.
ImportedModel importModelFile(Project& project, const std::string& path,
                              const std::string& name = "");
// The same for a file already read (an ONNX model, engine/io/OnnxImport.h): `name` "" is the
// model's own name; `path` is recorded as the run's source.
ImportedModel importModelFile(Project& project, const std::string& name, const ModelFile& file,
                              const std::string& path);

// Loads a weights file (readAnyWeightsFile: .keras, .h5, .weights.h5, TF.js) into model
// `modelId` as an imported run; returns its id. Throws Error (nothing written) when the weights
// do not fit the model.
std::int64_t importWeightsFile(Project& project, std::int64_t modelId, const std::string& path,
                               WeightsMatch match = WeightsMatch::ByOrder);

// A run's trained model with the optimizer state of `checkpoint` (restored through the run's
// compile settings, as resume does); the training config's optimizer_config is the optimizer as
// it stood. Without usable state (an imported weights-only run) only the weights; `note` says.
ModelFile runModelFileWithOptimizer(const RunRecord& run, const Checkpoint& checkpoint,
                                    std::string* note = nullptr);

}  // namespace tessel
