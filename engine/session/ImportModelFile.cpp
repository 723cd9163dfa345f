#include "engine/session/ImportModelFile.h"

#include <filesystem>

namespace tessel {

Checkpoint weightsCheckpoint(Model& model) {
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

ImportedModel importModelFile(Project& project, const std::string& name, const ModelFile& file,
                              const std::string& sourcePath) {
  // Everything that can fail without writing comes first.
  Checkpoint checkpoint;
  if (!file.weights.empty()) {
    Model model(file.spec, 0);
    model.loadNamedWeights(file.weights);
    checkpoint = weightsCheckpoint(model);
    checkpoint.meta["source"] = sourcePath;
  }
  ImportedModel out;
  project.begin();
  try {
    out.modelId = project.addModel(name, file.spec.toKerasJson());
    ModelRecord rec = *project.model(out.modelId);
    if (!file.trainingConfig.is_null()) {
      rec.compileSettings = {{"compile", file.trainingConfig}};
      project.updateModel(rec);
    }
    if (!file.weights.empty()) {
      RunRecord run;
      run.modelId = out.modelId;
      run.name = "imported " + std::filesystem::path(sourcePath).filename().string();
      run.spec = file.spec.toKerasJson();
      run.settings = {{"imported", {{"file", sourcePath}, {"optimizer_state", false}}},
                      {"compile", file.trainingConfig},
                      {"fit", json::object()},
                      {"callbacks", json::array()}};
      out.runId = project.createRun(run);
      project.saveCheckpoint(out.runId, checkpoint);
      project.setRunStatus(out.runId, RunStatus::Finished);
    }
    project.commit();
  } catch (...) {
    project.rollback();
    throw;
  }
  return out;
}

}  // namespace tessel
