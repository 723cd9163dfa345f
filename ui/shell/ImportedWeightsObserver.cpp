#include "ui/shell/ImportedWeightsObserver.h"

#include <QObject>
#include <exception>

#include "engine/store/Project.h"
#include "engine/train/Model.h"
#include "ui/shell/CheckpointWeights.h"

namespace tessel::ui {

void ImportedWeightsObserver::onTrainBegin(const FitOptions& options, int) {
  if (options.initialEpoch != 0) return;
  const auto [path, modelId] = where_();
  if (path.empty() || modelId <= 0) return;
  try {
    Project project = Project::open(path, /*readOnly=*/true);
    std::vector<RunRecord> runs = project.runs(modelId);
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (!isImportedRun(*it)) continue;
      auto cp = project.checkpoint(it->id, "last");
      if (!cp) continue;
      NamedWeights weights = checkpointWeights(*cp, model_);
      if (weights.empty()) continue;
      model_.loadNamedWeights(weights);
      notify_(QObject::tr("Training starts from the imported weights of run %1 (%2)")
                  .arg(it->id)
                  .arg(QString::fromStdString(it->name)));
      return;
    }
  } catch (const std::exception& e) {
    notify_(QObject::tr("Imported weights not used: %1").arg(QString::fromUtf8(e.what())));
  }
}

}  // namespace tessel::ui
