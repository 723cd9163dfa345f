#include "ui/project/ProjectSession.h"

#include <QFileInfo>
#include <QTimer>
#include <QUndoStack>
#include <exception>
#include <filesystem>

#include "engine/graph/ModelSpec.h"
#include "engine/session/ImportWeights.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

namespace {

std::string str(const QString& s) {
  return s.toStdString();
}

QString what(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

// The editor's serialisation is Keras JSON plus "tessel_layout"; the project stores them apart.
void splitDocumentJson(json doc, json& spec, json& layout) {
  layout = json::object();
  if (doc.is_object() && doc.contains("tessel_layout")) {
    layout = doc["tessel_layout"];
    doc.erase("tessel_layout");
  }
  spec = std::move(doc);
}

}  // namespace

ProjectSession::ProjectSession(QObject* parent) : QObject(parent) {
  autosave_ = new QTimer(this);
  autosave_->setInterval(autosaveMs_);
  connect(autosave_, &QTimer::timeout, this, [this] { autosaveNow(); });
  // Custom layer classes are project-wide: a new or changed one makes the project dirty.
  connect(&CustomClassLibrary::instance(), &CustomClassLibrary::edited, this, [this] {
    classesDirty_ = open_;
    updateDirty();
  });
  // So are saved blocks (the palette's "Blocks"), written with the classes.
  connect(&BlockLibrary::instance(), &BlockLibrary::edited, this, [this] {
    classesDirty_ = open_;
    updateDirty();
  });
}

ProjectSession::~ProjectSession() = default;

// ---- the project file -------------------------------------------------------------------

void ProjectSession::newUntitled() {
  close();
  open_ = true;
  emit projectChanged();
  emit modelsChanged();
}

bool ProjectSession::create(const QString& path, QString* error) {
  return adopt(
      path,
      [&] {
        if (std::filesystem::exists(str(path))) {
          std::error_code ec;
          std::filesystem::remove(str(path), ec);  // the save dialog asked before overwriting
        }
        return Project::create(str(path));
      },
      error);
}

bool ProjectSession::open(const QString& path, QString* error) {
  return adopt(
      path, [&] { return Project::open(str(path)); }, error);
}

bool ProjectSession::adopt(const QString& path, const std::function<Project()>& make,
                           QString* error) {
  try {
    Project project = make();
    close();
    path_ = QFileInfo(path).absoluteFilePath();
    open_ = true;
    reload(project);
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return false;
  }
  emit projectChanged();
  emit modelsChanged();
  return true;
}

void ProjectSession::close() {
  const bool had = open_;
  models_.clear();
  path_.clear();
  untitledName_.clear();
  open_ = false;
  structureDirty_ = false;
  classesDirty_ = false;
  CustomClassLibrary::instance().replaceAll(json::object());
  BlockLibrary::instance().replaceAll(json::object());
  pendingSave_ = false;
  nextUntitledId_ = -1;
  autosave_->stop();
  updateDirty();
  if (had) {
    emit projectChanged();
    emit modelsChanged();
  }
}

void ProjectSession::reload(Project& project) {
  models_.clear();
  for (const ModelRecord& r : project.models()) {
    Model m;
    m.id = r.id;
    m.name = QString::fromStdString(r.name);
    m.spec = r.spec;
    m.layout = r.layout.is_object() ? r.layout : json::object();
    m.compileSettings = r.compileSettings;
    m.dataSettings = r.dataSettings;
    models_.append(m);
  }
  json classes = json::object();
  for (const auto& [name, def] : project.customClasses()) classes[name] = def;
  CustomClassLibrary::instance().replaceAll(classes);
  json blocks = json::object();
  for (const auto& [name, def] : project.blocks()) blocks[name] = def;
  BlockLibrary::instance().replaceAll(blocks);
  classesDirty_ = false;
}

QString ProjectSession::displayName() const {
  if (!path_.isEmpty()) return QFileInfo(path_).fileName();
  return untitledName_.isEmpty() ? tr("Untitled") : untitledName_;
}

// ---- models -----------------------------------------------------------------------------

const ProjectSession::Model* ProjectSession::model(qint64 id) const {
  for (const Model& m : models_)
    if (m.id == id) return &m;
  return nullptr;
}

ProjectSession::Model* ProjectSession::model(qint64 id) {
  for (Model& m : models_)
    if (m.id == id) return &m;
  return nullptr;
}

qint64 ProjectSession::modelIdByName(const QString& name) const {
  for (const Model& m : models_)
    if (m.name == name) return m.id;
  return 0;
}

QString ProjectSession::uniqueModelName(const QString& base) const {
  QString b = base.trimmed().isEmpty() ? QStringLiteral("model") : base.trimmed();
  if (!modelIdByName(b)) return b;
  for (int i = 1;; ++i) {
    QString n = QStringLiteral("%1_%2").arg(b).arg(i);
    if (!modelIdByName(n)) return n;
  }
}

qint64 ProjectSession::addModel(const QString& name, const json& spec, const json& layout,
                                const json& trainingConfig, QString* error) {
  if (!open_) newUntitled();
  const QString unique = uniqueModelName(name);
  Model m;
  m.name = unique;
  m.spec = spec;
  m.layout = layout.is_object() ? layout : json::object();
  if (!trainingConfig.is_null()) m.compileSettings = {{"compile", trainingConfig}};
  if (isUntitled()) {
    m.id = nextUntitledId_--;
    models_.append(m);
    markStructure();
    emit modelsChanged();
    return m.id;
  }
  if (writesBlocked()) {
    if (error) *error = tr("A model is training: stop it before adding models.");
    return 0;
  }
  try {
    Project project = Project::open(str(path_));
    m.id = project.addModel(str(unique), spec, m.layout);
    if (!m.compileSettings.is_null()) {
      ModelRecord r = *project.model(m.id);
      r.compileSettings = m.compileSettings;
      project.updateModel(r);
    }
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return 0;
  }
  models_.append(m);
  emit modelsChanged();
  return m.id;
}

qint64 ProjectSession::duplicateModel(qint64 id, QString* error) {
  const Model* m = model(id);
  if (!m) {
    if (error) *error = tr("No such model.");
    return 0;
  }
  const QString name = m->name;
  const json compile = m->compileSettings, data = m->dataSettings;
  const qint64 copy = addModel(name, currentSpec(id), currentLayout(id), nullptr, error);
  if (!copy) return 0;
  Model* c = model(copy);
  c->compileSettings = compile;
  c->dataSettings = data;
  if (isUntitled() || (compile.is_null() && data.is_null())) return copy;
  try {
    Project project = Project::open(str(path_));
    ModelRecord r = *project.model(copy);
    r.compileSettings = compile;
    r.dataSettings = data;
    project.updateModel(r);
  } catch (const std::exception& e) {
    // The copy exists; its settings are written with the next save.
    c->settingsDirty = true;
    updateDirty();
    emit message(tr("The settings of %1 are saved with the project: %2").arg(c->name, what(e)));
  }
  return copy;
}

bool ProjectSession::renameModel(qint64 id, const QString& name, QString* error) {
  Model* m = model(id);
  const QString n = name.trimmed();
  if (!m) {
    if (error) *error = tr("No such model.");
    return false;
  }
  if (n.isEmpty() || (modelIdByName(n) && modelIdByName(n) != id)) {
    if (error) *error = tr("The project already has a model named '%1'.").arg(n);
    return false;
  }
  if (!isUntitled()) {
    if (writesBlocked()) {
      if (error) *error = tr("A model is training: stop it before renaming models.");
      return false;
    }
    try {
      Project project = Project::open(str(path_));
      project.renameModel(id, str(n));
    } catch (const std::exception& e) {
      if (error) *error = what(e);
      return false;
    }
  } else {
    markStructure();
  }
  m->name = n;
  emit modelsChanged();
  return true;
}

bool ProjectSession::deleteModel(qint64 id, QString* error) {
  if (!model(id)) {
    if (error) *error = tr("No such model.");
    return false;
  }
  if (!isUntitled()) {
    if (writesBlocked()) {
      if (error) *error = tr("A model is training: stop it before deleting models.");
      return false;
    }
    try {
      Project project = Project::open(str(path_));
      project.deleteModel(id);
    } catch (const std::exception& e) {
      if (error) *error = what(e);
      return false;
    }
  } else {
    markStructure();
  }
  for (int i = 0; i < models_.size(); ++i)
    if (models_[i].id == id) models_.removeAt(i--);
  updateDirty();
  emit modelsChanged();
  return true;
}

void ProjectSession::setCompileSettings(qint64 id, const json& settings) {
  if (Model* m = model(id)) {
    // The Search tab owns "search_space": the compile panel's settings leave it as it is.
    json keep =
        m->compileSettings.is_object() ? m->compileSettings.value("search_space", json()) : json();
    m->compileSettings = settings;
    if (!keep.is_null() && m->compileSettings.is_object() &&
        !m->compileSettings.contains("search_space"))
      m->compileSettings["search_space"] = keep;
    m->settingsDirty = true;
    updateDirty();
  }
}

void ProjectSession::setDataSettings(qint64 id, const json& settings) {
  if (Model* m = model(id)) {
    m->dataSettings = settings;
    m->settingsDirty = true;
    updateDirty();
  }
}

void ProjectSession::attach(qint64 id, GraphDocument* doc, QUndoStack* stack) {
  Model* m = model(id);
  if (!m) return;
  m->doc = doc;
  m->stack = stack;
  if (stack) connect(stack, &QUndoStack::cleanChanged, this, &ProjectSession::updateDirty);
  updateDirty();
}

json ProjectSession::currentSpec(qint64 id) const {
  const Model* m = model(id);
  if (!m) return nullptr;
  if (!m->doc) return m->spec;
  json spec, layout;
  splitDocumentJson(m->doc->toJson(), spec, layout);
  return spec;
}

json ProjectSession::currentLayout(qint64 id) const {
  const Model* m = model(id);
  if (!m) return nullptr;
  if (!m->doc) return m->layout;
  json spec, layout;
  splitDocumentJson(m->doc->toJson(), spec, layout);
  return layout;
}

// ---- dirty state and saving ---------------------------------------------------------------

bool ProjectSession::isModelDirty(qint64 id) const {
  const Model* m = model(id);
  return m && (m->settingsDirty || (m->stack && !m->stack->isClean()));
}

bool ProjectSession::isDirty() const {
  if (!open_) return false;
  if (isUntitled() && structureDirty_) return true;
  if (classesDirty_) return true;
  for (const Model& m : models_)
    if (isModelDirty(m.id)) return true;
  return false;
}

void ProjectSession::markStructure() {
  structureDirty_ = true;
  updateDirty();
}

void ProjectSession::updateDirty() {
  const bool dirty = isDirty();
  if (dirty && autosaveMs_ > 0 && !isUntitled() && !autosave_->isActive()) autosave_->start();
  if (!dirty) autosave_->stop();
  if (dirty == lastDirty_) return;
  lastDirty_ = dirty;
  emit dirtyChanged(dirty);
}

bool ProjectSession::writeDirty(Project& project, QString* error) {
  try {
    project.begin();
    for (Model& m : models_) {
      if (!isModelDirty(m.id) && !structureDirty_) continue;
      auto rec = project.model(m.id);
      if (!rec) continue;
      if (m.doc) splitDocumentJson(m.doc->toJson(), m.spec, m.layout);
      rec->spec = m.spec;
      rec->layout = m.layout;
      rec->compileSettings = m.compileSettings;
      rec->dataSettings = m.dataSettings;
      project.updateModel(*rec);
    }
    writeCustomClasses(project);
    project.commit();
  } catch (const std::exception& e) {
    try {
      project.rollback();
    } catch (...) {
    }
    if (error) *error = what(e);
    return false;
  }
  return true;
}

void ProjectSession::writeCustomClasses(Project& project) {
  if (!classesDirty_) return;
  const json& classes = CustomClassLibrary::instance().all();
  for (auto it = classes.begin(); it != classes.end(); ++it)
    project.setCustomClass(it.key(), it.value());
  const json& blocks = BlockLibrary::instance().all();
  for (auto it = blocks.begin(); it != blocks.end(); ++it) project.setBlock(it.key(), it.value());
}

bool ProjectSession::save(QString* error) {
  if (!open_) return true;
  if (isUntitled()) {
    if (error) *error = tr("The project has no file yet: use Save As.");
    return false;
  }
  if (!isDirty()) return true;
  if (writesBlocked()) {
    pendingSave_ = true;
    if (error) *error = tr("A model is training: the project is saved when training ends.");
    emit message(tr("Saving when training ends"));
    return false;
  }
  try {
    Project project = Project::open(str(path_));
    if (!writeDirty(project, error)) return false;
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return false;
  }
  classesDirty_ = false;
  for (Model& m : models_) {
    m.settingsDirty = false;
    if (m.stack) m.stack->setClean();
  }
  pendingSave_ = false;
  updateDirty();
  emit saved();
  return true;
}

bool ProjectSession::saveAs(const QString& path, QString* error) {
  if (!open_) newUntitled();
  if (writesBlocked()) {
    if (error) *error = tr("A model is training: stop it before saving under another name.");
    return false;
  }
  const QString target = QFileInfo(path).absoluteFilePath();
  if (target == path_) return save(error);
  try {
    if (isUntitled()) {
      std::error_code ec;
      std::filesystem::remove(str(target), ec);  // the save dialog asked before overwriting
      Project project = Project::create(str(target));
      project.begin();
      for (Model& m : models_) {
        if (m.doc) splitDocumentJson(m.doc->toJson(), m.spec, m.layout);
        qint64 id = project.addModel(str(m.name), m.spec, m.layout);
        ModelRecord rec = *project.model(id);
        rec.compileSettings = m.compileSettings;
        rec.dataSettings = m.dataSettings;
        project.updateModel(rec);
        m.id = id;
      }
      writeCustomClasses(project);
      project.commit();
    } else {
      {
        Project source = Project::open(str(path_), /*readOnly=*/true);
        source.saveCopy(str(target));
      }
      Project project = Project::open(str(target));
      if (!writeDirty(project, error)) return false;
    }
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return false;
  }
  path_ = target;
  structureDirty_ = false;
  pendingSave_ = false;
  classesDirty_ = false;
  for (Model& m : models_) {
    m.settingsDirty = false;
    if (m.stack) m.stack->setClean();
  }
  updateDirty();
  emit projectChanged();
  emit modelsChanged();
  emit saved();
  return true;
}

bool ProjectSession::flushPending(QString* error) {
  if (!pendingSave_) return true;
  return save(error);
}

void ProjectSession::setAutosaveInterval(int ms) {
  autosaveMs_ = ms;
  autosave_->stop();
  if (ms > 0) autosave_->setInterval(ms);
  updateDirty();
}

bool ProjectSession::autosaveNow() {
  if (!open_ || isUntitled() || !isDirty() || writesBlocked()) return false;
  QString error;
  if (!save(&error)) {
    emit message(tr("Autosave failed: %1").arg(error));
    return false;
  }
  emit message(tr("Autosaved %1").arg(displayName()));
  return true;
}

// ---- runs -------------------------------------------------------------------------------

std::vector<RunRecord> ProjectSession::runs(qint64 modelId) const {
  if (isUntitled() || modelId <= 0) return {};
  try {
    Project project = Project::open(str(path_), /*readOnly=*/true);
    return project.runs(modelId);
  } catch (const std::exception&) {
    return {};
  }
}

std::map<qint64, std::vector<RunRecord>> ProjectSession::allRuns() const {
  std::map<qint64, std::vector<RunRecord>> out;
  if (isUntitled() || !open_) return out;
  try {
    Project project = Project::open(str(path_), /*readOnly=*/true);
    for (RunRecord& r : project.runs(0)) out[r.modelId].push_back(std::move(r));
  } catch (const std::exception&) {
  }
  return out;
}

qint64 ProjectSession::addImportedRun(qint64 id, RunRecord run, const Checkpoint& checkpoint,
                                      QString* error) {
  if (isUntitled() || !model(id) || id <= 0) {
    if (error) *error = tr("Save the project first: loaded weights are kept in the project file.");
    return 0;
  }
  if (writesBlocked()) {
    if (error) *error = tr("A model is training: stop it before loading weights.");
    return 0;
  }
  try {
    Project project = Project::open(str(path_));
    return recordImportedRun(project, id, std::move(run), checkpoint);
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return 0;
  }
}

std::optional<Checkpoint> ProjectSession::checkpoint(qint64 runId, const std::string& kind) const {
  if (isUntitled()) return std::nullopt;
  try {
    Project project = Project::open(str(path_), /*readOnly=*/true);
    return project.checkpoint(runId, kind);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace tessel::ui
