#include "ui/search/SearchPage.h"

#include <QTabWidget>
#include <QTimer>
#include <memory>

#include "engine/data/DatasetBuilder.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchMarks.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/search/TrialsView.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingDashboard.h"

namespace tessel::ui {

SearchPanel* installSearchPage(MainWindow* window) {
  auto* panel = new SearchPanel(window);
  QTabWidget* tabs = window->workspaceTabs();
  const int index = tabs->addTab(panel, QObject::tr("Search"));
  // The marked parameters are the model's "search_space" (compile settings, saved with the
  // model; `tessel search PROJECT` reads the same key when --space is omitted).
  auto loading = std::make_shared<bool>(false);
  QObject::connect(
      panel->spaceEditor(), &SearchSpaceEditor::changed, panel, [window, panel, loading] {
        ProjectSession* session = window->session();
        const ProjectSession::Model* m = session->model(window->currentModelId());
        if (*loading || !m) return;
        nlohmann::json settings =
            m->compileSettings.is_object() ? m->compileSettings : nlohmann::json::object();
        nlohmann::json space = panel->spaceEditor()->spaceJson();
        if (settings.value("search_space", nlohmann::json()) == space) return;
        settings["search_space"] = space;
        // A search from the CLI starts from the compile settings the studio's search uses.
        const nlohmann::json shown = window->dashboard()->compilePanel()->settings();
        for (auto it = shown.begin(); it != shown.end(); ++it)
          if (settings.value(it.key(), nlohmann::json()).is_null()) settings[it.key()] = it.value();
        session->setCompileSettings(m->id, settings);
      });
  // The current model's saved space into the editor (also before a field of the inspector or the
  // compile panel is marked: SearchMarks).
  auto loadSpace = [window, panel, loading] {
    if (panel->isRunning()) return;
    const ProjectSession::Model* m = window->session()->model(window->currentModelId());
    const nlohmann::json saved = m && m->compileSettings.is_object()
                                     ? m->compileSettings.value("search_space", nlohmann::json())
                                     : nlohmann::json();  // none: no model, nothing marked
    if (saved != panel->spaceEditor()->spaceJson()) {
      *loading = true;
      panel->spaceEditor()->setSpaceJson(saved);
      *loading = false;
    }
  };
  // "Search this parameter…" on the inspector's and the compile panel's fields.
  auto* marks = new SearchMarks(panel->spaceEditor(), window);
  marks->setSyncHandler(loadSpace);
  marks->attachCompilePanel(window->dashboard()->compilePanel());
  for (GraphEditorWidget* e : window->findChildren<GraphEditorWidget*>()) marks->attachEditor(e);
  auto sync = [window, panel, loadSpace] {
    if (panel->isRunning()) return;
    GraphEditorWidget* editor = window->editor();
    panel->setSettings(window->dashboard()->compilePanel()->settings());
    panel->setDocument(editor->document(), editor->undoStack());
    ProjectSession* session = window->session();
    const qint64 id = window->currentModelId();
    loadSpace();
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
  // A project opened (or closed) while the tab is shown: once the window has its model.
  QObject::connect(window->session(), &ProjectSession::projectChanged, panel, [tabs, index, sync] {
    QTimer::singleShot(0, tabs, [tabs, index, sync] {
      if (tabs->currentIndex() == index) sync();
    });
  });
  panel->setSettingsHandler([window](const nlohmann::json& settings) {
    window->dashboard()->compilePanel()->setSettings(settings);
  });
  panel->setSettingsSource([window] { return window->dashboard()->compilePanel()->settings(); });
  // Trials selected in the table: their runs selected in the runs browser (Train page), which
  // overlays their curves.
  QObject::connect(panel->trialsView(), &TrialsView::trialsSelected, panel,
                   [window](const QList<qint64>& runIds) {
                     RunsBrowser* runs = window->dashboard()->runsBrowser();
                     const QString path = window->session()->path();
                     if (runIds.isEmpty() || path.isEmpty()) return;
                     if (runs->projectPath() != path) runs->setProject(path);
                     if (runs->modelId() != window->currentModelId())
                       runs->setModelId(window->currentModelId());
                     runs->refresh();  // the trials' runs are new
                     runs->selectRuns(runIds);
                   });
  // "Train best on all data": the Train action's path (the Train page's Start).
  panel->setTrainHandler([window] { return window->train(); });
  return panel;
}

}  // namespace tessel::ui
