// Keras files and a project: `tessel import PROJECT MODEL.keras|MODEL.h5` (a model with an
// "imported" run holding the file's weights and optimizer state) and `tessel load PROJECT
// FILE` (Keras load_weights into a model of the project, by layer order or --by-name). Exports to
// .keras / .h5 / .weights.h5 are options of `tessel export` (CmdExport.cpp).
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/session/ImportModelFile.h"
#include "engine/store/Project.h"

namespace tessel::app {

int cmdImportKeras(const Args& args) {
  Project project = Project::open(args.positional()[0]);
  const std::string path = args.positional()[1];
  ImportedModel m = importModelFile(project, path, args.value("--name"));
  const std::string name = project.model(m.modelId)->name;
  std::cout << "imported " << path << " as model '" << name << "'";
  if (m.runId) std::cout << " with its weights as run " << m.runId << m.note;
  std::cout << "\n";
  return 0;
}

int cmdLoadWeights(const Args& args) {
  Project project = Project::open(args.positional()[0]);
  const std::string path = args.positional()[1];
  ModelRecord model = projectModel(project, args);
  const WeightsMatch match = args.has("--by-name") ? WeightsMatch::ByName : WeightsMatch::ByOrder;
  const std::int64_t runId = importWeightsFile(project, model.id, path, match);
  std::cout << "loaded the weights of " << path << " into model '" << model.name << "' ("
            << (match == WeightsMatch::ByName ? "by name" : "by layer order") << ") as run "
            << runId << "\n";
  return 0;
}

}  // namespace tessel::app
