#pragma once
// The open project of a studio window: the .tessel file (or an untitled project held in memory),
// its models, which of them have unsaved edits, and autosave. Each model's graph lives in a
// GraphDocument with its own QUndoStack (owned by the window's editor); the session is told about
// them with attach() and reads the undo stacks' clean state to know what is dirty. Saving writes
// every dirty model's spec (Keras JSON) and node positions to the file and marks the stacks clean.
//
// The file is opened only for each operation (engine Project, one connection, closed at once):
// a training worker of this process opens the same file through its own connection and the
// engine allows one writable connection per process. While the write blocker says a worker holds
// the file, saves are deferred (pendingSave()) and written by flushPending() when it ends; model
// structure changes (add, rename, delete) are refused with a message.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "engine/store/Project.h"

class QTimer;
class QUndoStack;

namespace tessel::ui {

class GraphDocument;

class ProjectSession : public QObject {
  Q_OBJECT
 public:
  struct Model {
    qint64 id = 0;  // project row id; negative for models of an untitled project
    QString name;
    json spec;    // Keras functional JSON as last saved (or loaded)
    json layout;  // {"node name": [x, y]} as last saved
    json compileSettings, dataSettings;
    QPointer<GraphDocument> doc;  // attached editor document (may be null)
    QPointer<QUndoStack> stack;
    bool settingsDirty = false;  // compile/data settings changed since the last save
  };

  explicit ProjectSession(QObject* parent = nullptr);
  ~ProjectSession() override;

  // --- the project file ---
  // Starts an untitled project with no models (nothing on disk until saveAs()).
  void newUntitled();
  // Creates a new, empty project file at `path` (error if it exists) and opens it.
  bool create(const QString& path, QString* error = nullptr);
  // Opens an existing project (engine checks: Tessel file, version, health, not held by another
  // process). Runs left running by a dead process are marked interrupted by the engine.
  bool open(const QString& path, QString* error = nullptr);
  void close();  // forgets everything (no prompt; the window asks first)

  bool isUntitled() const { return path_.isEmpty(); }
  bool hasProject() const { return open_; }
  QString path() const { return path_; }
  // "fashion.tessel", or "Untitled" / the untitled display name.
  QString displayName() const;
  void setUntitledName(const QString& name) { untitledName_ = name; }

  // --- models ---
  const QList<Model>& models() const { return models_; }
  const Model* model(qint64 id) const;
  Model* model(qint64 id);
  qint64 modelIdByName(const QString& name) const;
  // A name not used yet ("model", "model_1", ...).
  QString uniqueModelName(const QString& base) const;
  // Adds a model (written to the file at once when the project has one). Returns its id, or 0
  // with `error` set. The name is made unique.
  qint64 addModel(const QString& name, const json& spec, const json& layout = json::object(),
                  const json& trainingConfig = nullptr, QString* error = nullptr);
  // A copy of model `id` as it stands (graph and layout as edited, compile and data settings)
  // named as Keras names a second model ("model" -> "model_1"). Returns its id or 0.
  qint64 duplicateModel(qint64 id, QString* error = nullptr);
  bool renameModel(qint64 id, const QString& name, QString* error = nullptr);
  bool deleteModel(qint64 id, QString* error = nullptr);
  // Stores a compile settings object for the model (written with the next save). A settings
  // object without "search_space" keeps the model's (the Search tab writes that key).
  void setCompileSettings(qint64 id, const json& settings);
  // Stores a data settings object (DataSettings JSON) for the model (written with the next save).
  void setDataSettings(qint64 id, const json& settings);

  // The editor document and undo stack showing model `id` (their clean state drives isDirty()).
  void attach(qint64 id, GraphDocument* doc, QUndoStack* stack);

  // --- dirty state and saving ---
  bool isDirty() const;
  bool isModelDirty(qint64 id) const;
  // Writes every dirty model. Untitled projects cannot be saved this way (use saveAs). Returns
  // false with `error` set on failure; while the write blocker is on, remembers the request,
  // returns false and sets `error` to a "saved when training ends" message.
  bool save(QString* error = nullptr);
  // Writes the whole project to `path` (a copy of the file plus the unsaved edits) and continues
  // on that file.
  bool saveAs(const QString& path, QString* error = nullptr);
  bool pendingSave() const { return pendingSave_; }
  // Writes what was deferred while the file was held (called when training ends).
  bool flushPending(QString* error = nullptr);

  // Autosave: every `ms` while dirty (0 disables). Default 30 s.
  void setAutosaveInterval(int ms);
  int autosaveInterval() const { return autosaveMs_; }
  // Saves now when dirty and possible (file-backed, not blocked); returns true when it wrote.
  bool autosaveNow();

  // True while another connection of this process (the training worker) holds the file.
  void setWriteBlocker(std::function<bool()> blocked) { blocked_ = std::move(blocked); }
  bool writesBlocked() const { return blocked_ && blocked_(); }

  // --- runs (read through a read-only connection) ---
  std::vector<RunRecord> runs(qint64 modelId) const;
  // Every run of the project by model id, through one connection.
  std::map<qint64, std::vector<RunRecord>> allRuns() const;
  std::optional<Checkpoint> checkpoint(qint64 runId, const std::string& kind) const;
  // Records weights loaded from a file as a run of model `id` (File > Load weights, Import
  // model): `run` (status set to finished; its settings should carry "imported") with
  // `checkpoint` as its "last" checkpoint, in one transaction. Returns the run id, or 0 with
  // `error` set (untitled project, a training worker holds the file, write failure).
  qint64 addImportedRun(qint64 id, RunRecord run, const Checkpoint& checkpoint,
                        QString* error = nullptr);

  // The model's current spec JSON and layout (from its document when attached).
  json currentSpec(qint64 id) const;
  json currentLayout(qint64 id) const;

 signals:
  void dirtyChanged(bool dirty);
  void modelsChanged();
  void projectChanged();  // opened, created, closed, saved as
  void saved();
  void message(const QString& text);

 private:
  // Makes the Project (create or open), then closes the current one and takes it; on failure the
  // current project stays and *error says why.
  bool adopt(const QString& path, const std::function<Project()>& make, QString* error);
  void reload(Project& project);
  void updateDirty();
  void markStructure();
  bool writeDirty(Project& project, QString* error);
  void writeCustomClasses(Project& project);  // the CustomClassLibrary, when edited

  QList<Model> models_;
  QString path_;
  QString untitledName_;
  bool open_ = false;
  bool classesDirty_ = false;    // custom layer classes defined since the last save
  bool structureDirty_ = false;  // untitled project: models added/renamed/removed in memory
  bool lastDirty_ = false;
  bool pendingSave_ = false;
  qint64 nextUntitledId_ = -1;
  int autosaveMs_ = 30000;
  QTimer* autosave_ = nullptr;
  std::function<bool()> blocked_;
};

}  // namespace tessel::ui
