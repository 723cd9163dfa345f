#pragma once
// Suggested fixes for a layer whose input does not fit, computed from the document's shape
// report:
//  - "flatten": a Dense fed an image or sequence (rank > 2). Keras applies Dense to the last axis
//    then, which is legal (so this is a hint, not an error) but rarely what a classifier wants.
//  - "reshape": a layer that needs a given rank (Conv2D: 4-D, Conv1D: 3-D, Dense: >= 2-D, merge
//    layers: the shape of their first input) fed another rank with the same number of values
//    per sample: insert Reshape with a target shape that fits.
//  - "concat_axis": a Concatenate whose inputs differ on exactly one axis other than its axis:
//    set "axis" to that one.
// Applying a fix is one undo step (a macro of the usual commands) and re-validates the model.
#include <QList>
#include <QString>
#include <QUndoStack>

#include "engine/graph/ModelSpec.h"
#include "ui/editor/NodeId.h"

namespace tessel::ui {

class GraphDocument;

struct GraphFix {
  QString kind;                  // "flatten", "reshape", "concat_axis"
  NodeId node = kInvalidNodeId;  // the layer the fix is for
  QString label;                 // "Insert Flatten before 'dense'"
  QString why;                   // one line: what is wrong
  int port = 0;                  // the input port concerned (insertions)
  json value;                    // Reshape target_shape / Concatenate axis
};

class GraphFixes {
 public:
  static QList<GraphFix> suggest(const GraphDocument& doc, NodeId node);
  static QList<GraphFix> suggest(const GraphDocument& doc, const QString& name);
  // Pushes the fix as one undo step. Returns an empty string, else why it could not be applied.
  static QString apply(GraphDocument* doc, QUndoStack* stack, const GraphFix& fix);
};

}  // namespace tessel::ui
