#pragma once
// The open project's custom layer classes (the palette's "Custom" group): name -> definition
// ({"weights", "call", "params"}, engine/io/KerasCustomClasses.h). One per process, like the
// layer registry: the project session fills it on open and writes it on save; the palette lists
// it; GraphDocument::createNode makes a CustomLayer node of a class dragged from the palette.
#include <QObject>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/graph/ModelSpec.h"

namespace tessel::ui {

class CustomClassLibrary : public QObject {
  Q_OBJECT

 public:
  static CustomClassLibrary& instance();

  QStringList names() const;
  std::optional<nlohmann::json> find(const QString& name) const;
  const nlohmann::json& all() const { return classes_; }  // JSON object name -> definition

  // Adds or replaces one class (changed + edited).
  void define(const QString& name, const nlohmann::json& definition);
  // Adds, replaces (a definition) or removes (nullopt) one class: changed + edited. The undoable
  // form is CustomClassLibraryCommand (CustomClassActions.h).
  void set(const QString& name, const std::optional<nlohmann::json>& definition);
  // Classes of an imported model: every CustomLayer node whose custom_class the library lacks
  // adds that class (its definition from the first such node). Returns the names added;
  // `conflicts` gets the names already defined differently (the nodes keep their own definition).
  QStringList adopt(const tessel::ModelSpec& spec, QStringList* conflicts = nullptr);
  // Replaces every class (the project was opened or closed): changed, not edited.
  void replaceAll(const nlohmann::json& classes);

  // A valid Python / Keras class name not taken by a built-in layer ("" if fine, else why).
  static QString checkName(const QString& name);

 signals:
  void changed();
  void edited();  // by the user: the project has unsaved changes

 private:
  nlohmann::json classes_ = nlohmann::json::object();
};

}  // namespace tessel::ui
