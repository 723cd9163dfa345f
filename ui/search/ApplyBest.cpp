#include "ui/search/ApplyBest.h"

#include <QUndoStack>

#include "engine/search/ApplyHyperparameters.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

int applyTrialValues(GraphDocument* doc, QUndoStack* stack, const SearchSpace& space,
                     const nlohmann::json& values, nlohmann::json* settings) {
  auto* parent = new QUndoCommand(QObject::tr("Apply best trial"));
  int count = 0;
  nlohmann::json compileValues = nlohmann::json::object();
  for (const auto& p : space.parameters()) {
    if (!values.contains(p.name)) continue;
    if (p.target.rfind("layers.", 0) == 0) {
      auto dot = p.target.rfind('.');
      const QString layer = QString::fromStdString(p.target.substr(7, dot - 7));
      const std::string key = p.target.substr(dot + 1);
      if (!doc->hasNode(layer)) continue;
      new SetConfigCommand(doc, layer, key, values[p.name], parent);
      ++count;
    } else {
      compileValues[p.name] = values[p.name];
    }
  }
  if (count)
    stack->push(parent);
  else
    delete parent;
  if (settings && !compileValues.empty()) {
    // The RunSettings form's compile key holds the training_config; applyHyperparameters edits
    // it in place (the spec is left alone: its layers were applied above).
    nlohmann::json spec = nlohmann::json::object();
    applyHyperparameters(space, compileValues, spec, *settings);
  }
  return count;
}

}  // namespace tessel::ui
