#include "ui/shell/ModelCommands.h"

#include "engine/graph/ModelSpec.h"
#include "ui/project/ProjectSession.h"
#include "ui/shell/ShellPrompts.h"

namespace tessel::ui {

ModelCommands::ModelCommands(ProjectSession* session, ShellPrompts* prompts, QObject* parent)
    : QObject(parent), session_(session), prompts_(prompts) {}

qint64 ModelCommands::newModel() {
  if (!session_->hasProject()) session_->newUntitled();
  const QString name = session_->uniqueModelName(QStringLiteral("model"));
  ModelSpec blank;
  blank.name = name.toStdString();
  QString error;
  const qint64 id = session_->addModel(name, blank.toKerasJson(), json::object(), nullptr, &error);
  if (!id) {
    prompts_->showError(tr("New model"), error);
    return 0;
  }
  emit modelAdded(id);
  prompts_->say(tr("New model %1: drag layers from the palette").arg(name));
  return id;
}

qint64 ModelCommands::duplicateModel(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return 0;
  const QString source = m->name;
  QString error;
  const qint64 copy = session_->duplicateModel(id, &error);
  if (!copy) {
    prompts_->showError(tr("Duplicate model"), error);
    return 0;
  }
  emit modelAdded(copy);
  prompts_->say(tr("Duplicated %1 as %2").arg(source, session_->model(copy)->name));
  return copy;
}

bool ModelCommands::renameModel(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return false;
  const QString name = prompts_->askText(tr("Rename model"), tr("Name:"), m->name);
  if (name.isNull()) return false;
  QString error;
  if (!session_->renameModel(id, name, &error)) {
    prompts_->showError(tr("Rename model"), error);
    return false;
  }
  return true;
}

bool ModelCommands::deleteModel(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return false;
  if (prompts_->ask(tr("Delete model"), tr("Delete the model %1 and all its runs?").arg(m->name),
                    QMessageBox::Yes | QMessageBox::Cancel) != QMessageBox::Yes)
    return false;
  QString error;
  if (!session_->deleteModel(id, &error)) {
    prompts_->showError(tr("Delete model"), error);
    return false;
  }
  return true;
}

}  // namespace tessel::ui
