// Set-up shared by the training dashboard tests (tst_ui_dashboard, tst_ui_optimizerchange): a
// dashboard on a new project file holding the tiny model, with the tiny data set.
#pragma once

#include <QString>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "ui/training/TrainingDashboard.h"

namespace tessel::testutil {

// Creates the project at `path` (createTinyProject), shows `dash` and points it at the project,
// the tiny model and tinyData(). Returns the model id.
inline qint64 openTinyDashboard(ui::TrainingDashboard& dash, const QString& path) {
  const qint64 modelId = createTinyProject(path.toStdString());
  dash.show();
  dash.setProjectPath(path);
  dash.setModel(ModelSpec::fromKerasJson(tinyTopology()), modelId);
  dash.setData(tinyData());
  return modelId;
}

// The events of `kind` recorded for run `runId` in the project at `path`.
inline std::vector<RunEvent> eventsOf(const QString& path, qint64 runId, const std::string& kind) {
  auto p = Project::open(path.toStdString(), true);
  std::vector<RunEvent> out;
  for (auto& e : p.events(runId))
    if (e.kind == kind) out.push_back(e);
  return out;
}

}  // namespace tessel::testutil
