#include "ui/expr/LayerExpressionCheck.h"

#include <QPointer>

#include "engine/expr/ExprLayerProgram.h"
#include "engine/layers/CustomLayer.h"
#include "engine/layers/Lambda.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

bool isLayerExpressionKey(const std::string& className, const std::string& key) {
  return (className == "Lambda" && key == "expression") ||
         (className == "CustomLayer" && key == "call");
}

ExpressionField::Checker layerExpressionChecker(const GraphDocument* doc, NodeId id,
                                                const std::string& key) {
  QPointer<const GraphDocument> d(doc);
  return [d, id, key](const QString& text) {
    const NodeSpec* n = d ? d->node(id) : nullptr;
    if (!n) return ExpressionField::Check{};
    std::vector<Shape> inputs;
    if (const NodeShapes* s = d->nodeShapes(id)) inputs = s->inputs;
    const bool known = !inputs.empty();
    if (!known) inputs = {Shape{kNone, kNone}};
    json config = n->config;
    config[key] = text.toStdString();
    const std::string cls = n->className;
    ExpressionField::Check c = ExpressionField::checkWith([&]() -> Shape {
      if (cls == "Lambda")
        return ExprLayerProgram(Lambda(config).programSpec(inputs)).outputShape();
      return ExprLayerProgram(CustomLayer(config).programSpec(inputs[0])).outputShape();
    });
    if (c.ok && !known) c.shape.clear();
    return c;
  };
}

}  // namespace tessel::ui
