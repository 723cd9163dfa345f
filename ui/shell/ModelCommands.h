#pragma once
// The project's model commands: File > New Model (a blank model, named as Keras names models:
// "model", "model_1", ...) and the project tree's New / Duplicate / Rename / Delete. Each new
// model is written to the project file at once (kept in memory for an untitled project) and
// announced with modelAdded, which shows it.
#include <QObject>

namespace tessel::ui {

class ProjectSession;
class ShellPrompts;

class ModelCommands : public QObject {
  Q_OBJECT
 public:
  ModelCommands(ProjectSession* session, ShellPrompts* prompts, QObject* parent);

  // A blank model (no layers) under the next free Keras model name; an untitled project is
  // started when none is open. Returns its id or 0 (with a message).
  qint64 newModel();
  // A copy of model `id` with its graph as edited and its settings. Returns its id or 0.
  qint64 duplicateModel(qint64 id);
  // Asks for the new name (ShellPrompts::askText); false when cancelled or refused.
  bool renameModel(qint64 id);
  // Asks first; false when cancelled or refused.
  bool deleteModel(qint64 id);

 signals:
  void modelAdded(qint64 id);

 private:
  ProjectSession* session_;
  ShellPrompts* prompts_;
};

}  // namespace tessel::ui
