#include "engine/session/ImportModelFile.h"

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/session/ExportModel.h"
#include "engine/session/ImportWeights.h"
#include "engine/session/RecordedSettings.h"
#include "engine/session/RunSettings.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel {

namespace {

Checkpoint weightsOnly(Model& model) {
  Checkpoint c;
  c.kind = "last";
  json names = json::array();
  for (auto& [name, var] : model.namedWeights()) {
    names.push_back({{"name", name}, {"shape", var->value.shape()}});
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(var->value.data());
    c.weights.insert(c.weights.end(), bytes,
                     bytes + static_cast<size_t>(var->value.size()) * sizeof(float));
  }
  c.meta = {{"weights", std::move(names)}, {"imported", true}};
  return c;
}

RunRecord importedRun(const ModelSpec& spec, const std::string& path, const json& trainingConfig,
                      bool withState) {
  RunRecord run;
  run.name = "imported " + std::filesystem::path(path).filename().string();
  run.spec = spec.toKerasJson();
  run.settings = {{"imported", {{"file", path}, {"optimizer_state", withState}}},
                  {"compile", trainingConfig},
                  {"fit", json::object()},
                  {"callbacks", json::array()}};
  return run;
}

}  // namespace

Checkpoint importedCheckpoint(const ModelSpec& spec, const NamedWeights& weights,
                              const NamedWeights& optimizerWeights, const json& trainingConfig,
                              std::string* note) {
  Model model(spec, 0);
  model.loadNamedWeights(weights);
  if (!optimizerWeights.empty()) {
    try {
      if (!trainingConfig.is_object()) throw Error("the file has no training config");
      Trainer trainer(model, CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs));
      setOptimizerWeights(trainer.optimizer(), model.trainableWeights(),
                          trainableWeightNames(model), optimizerWeights);
      if (note)
        *note = " with " + trainer.optimizer().name() + " optimizer state (" +
                std::to_string(trainer.optimizer().iterations()) + " steps)";
      return makeCheckpoint(trainer, "last", 0, trainer.optimizer().iterations());
    } catch (const std::exception& e) {
      if (note) *note = std::string(" (optimizer state not kept: ") + e.what() + ")";
    }
  }
  Checkpoint c = weightsOnly(model);
  return c;
}

ImportedModel importModelFile(Project& project, const std::string& path, const std::string& name) {
  return importModelFile(project, name, readAnyModelFile(path), path);
}

ImportedModel importModelFile(Project& project, const std::string& name, const ModelFile& file,
                              const std::string& path) {
  ImportedModel out;
  std::optional<Checkpoint> checkpoint;
  if (!file.weights.empty()) {
    checkpoint = importedCheckpoint(file.spec, file.weights, file.optimizerWeights,
                                    file.trainingConfig, &out.note);
    checkpoint->meta["source"] = path;
  }
  const std::string modelName = name.empty() ? file.spec.name : name;
  if (project.model(modelName))
    throw Error("the project already has a model named '" + modelName +
                "' (choose another "
                "name)");
  project.begin();
  try {
    out.modelId = project.addModel(modelName, file.spec.toKerasJson());
    if (!file.trainingConfig.is_null()) {
      ModelRecord rec = *project.model(out.modelId);
      rec.compileSettings = {{"compile", file.trainingConfig}};
      project.updateModel(rec);
    }
    if (checkpoint) {
      const bool withState = !checkpoint->meta.value("optimizer", std::string()).empty();
      out.runId = recordImportedRun(project, out.modelId,
                                    importedRun(file.spec, path, file.trainingConfig, withState),
                                    *checkpoint);
    }
    project.commit();
  } catch (...) {
    project.rollback();
    throw;
  }
  return out;
}

std::int64_t importWeightsFile(Project& project, std::int64_t modelId, const std::string& path,
                               WeightsMatch match) {
  auto record = project.model(modelId);
  if (!record) throw Error("project has no model " + std::to_string(modelId));
  const ModelSpec spec = ModelSpec::fromKerasJson(record->spec);
  Model model(spec, 0);
  const NamedWeights weights = readAnyWeightsFile(path, model, match);
  Checkpoint checkpoint = importedCheckpoint(spec, weights, {}, nullptr);
  checkpoint.meta["source"] = path;
  const json trainingConfig = record->compileSettings.is_object()
                                  ? RunSettings::trainingConfigOf(record->compileSettings)
                                  : json();
  return recordImportedRun(project, modelId, importedRun(spec, path, trainingConfig, false),
                           checkpoint);
}

ModelFile runModelFileWithOptimizer(const RunRecord& run, const Checkpoint& checkpoint,
                                    std::string* note) {
  ModelFile file = runModelFile(run, checkpoint);
  if (checkpoint.meta.value("optimizer", std::string()).empty()) {
    if (note) *note = " (no optimizer state in the checkpoint)";
    return file;
  }
  try {
    Model model(file.spec, 0);
    Trainer trainer(model,
                    CompileOptions::fromTrainingConfig(file.trainingConfig, file.spec.outputs));
    restoreCheckpoint(trainer, checkpoint);
    file.optimizerWeights = optimizerWeights(trainer.optimizer(), trainableWeightNames(model));
    file.trainingConfig["optimizer_config"] = trainer.optimizer().toJson();
    if (note)
      *note = " with " + trainer.optimizer().name() + " optimizer state (" +
              std::to_string(trainer.optimizer().iterations()) + " steps)";
  } catch (const std::exception& e) {
    file.optimizerWeights.clear();
    if (note) *note = std::string(" without optimizer state (") + e.what() + ")";
  }
  return file;
}

}  // namespace tessel
