#pragma once
// The inspector's checks of the expression layers: a Lambda's "expression" and a CustomLayer's
// "call" are edited in an ExpressionField that builds the layer's program (engine/expr/
// ExprLayerProgram.h) from the node's config with the edited text, over the node's current input
// shapes, so an error points at its character and a good text shows the output shape.
#include <string>

#include "ui/editor/NodeId.h"
#include "ui/expr/ExpressionField.h"

namespace tessel::ui {

class GraphDocument;

// True for the keys the inspector edits with an ExpressionField (Lambda.expression,
// CustomLayer.call).
bool isLayerExpressionKey(const std::string& className, const std::string& key);
// The checker of node `id`'s `key` in `doc` (read when it runs: it follows edits and new input
// shapes). Without a connected input, x is checked as (None, None) and no shape is shown.
ExpressionField::Checker layerExpressionChecker(const GraphDocument* doc, NodeId id,
                                                const std::string& key);

}  // namespace tessel::ui
