#pragma once
// "New model from template": models, bundled as TF.js model.json files (the same
// files as resources/examples/*/model.json, compiled into the binary through ui/editor.qrc) and
// read with the TF.js reader (weights are not loaded: a template is a topology).
#include <QString>
#include <QStringList>

#include "engine/graph/ModelSpec.h"

namespace tessel::ui {

class GraphDocument;

class ModelTemplates {
 public:
  // Display names, in menu order: "Sequential classifier (Fashion-MNIST MLP)", "Wide & deep",
  // "Wide & deep, two inputs", "Two outputs (wide & deep)", "CNN (Fashion-MNIST)".
  static QStringList names();
  // The bundled example folder name of a template ("wide_deep"), empty if unknown.
  static QString exampleFor(const QString& name);
  // The template's model. Throws tessel::Error for an unknown name.
  static ModelSpec spec(const QString& name);
  // Replaces `doc` with the template laid out by Graphviz dot (no undo step: a new model).
  static void load(GraphDocument* doc, const QString& name);
};

// Shortcut used by menus: the same list as ModelTemplates::names().
inline QStringList templateNames() {
  return ModelTemplates::names();
}

}  // namespace tessel::ui
