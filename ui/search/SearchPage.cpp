#include "ui/search/SearchPage.h"

#include <QTabWidget>

#include "engine/data/DatasetBuilder.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchPanel.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/TrainingDashboard.h"

namespace tessel::ui {

SearchPanel* installSearchPage(MainWindow* window) {
  auto* panel = new SearchPanel(window);
  QTabWidget* tabs = window->workspaceTabs();
  const int index = tabs->addTab(panel, QObject::tr("Search"));
  auto sync = [window, panel] {
    if (panel->isRunning()) return;
    GraphEditorWidget* editor = window->editor();
    panel->setSettings(window->dashboard()->compilePanel()->settings());
    panel->setDocument(editor->document(), editor->undoStack());
    ProjectSession* session = window->session();
    const qint64 id = window->currentModelId();
    panel->setProject(session->isUntitled() || id <= 0 ? QString() : session->path(), id);
    panel->setDataLoader([window, session, id]() -> std::optional<BuiltData> {
      const ModelSpec spec = window->editor()->document()->spec();
      std::optional<BuiltData> data = window->lastBuiltData();
      if (!data) {
        const ProjectSession::Model* m = session->model(id);
        if (!m || !m->dataSettings.is_object() || m->dataSettings.empty()) return std::nullopt;
        data = buildDataset(m->dataSettings);
      }
      fitDatasetToModel(data->train, spec);
      if (data->validation) fitDatasetToModel(*data->validation, spec);
      return data;
    });
  };
  QObject::connect(tabs, &QTabWidget::currentChanged, panel, [tabs, index, sync](int current) {
    if (current == index) sync();
  });
  panel->setSettingsHandler([window](const nlohmann::json& settings) {
    window->dashboard()->compilePanel()->setSettings(settings);
  });
  return panel;
}

}  // namespace tessel::ui
