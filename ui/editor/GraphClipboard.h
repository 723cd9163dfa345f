#pragma once
// Cut/copy/paste of graph fragments as Keras JSON. A copied selection is a Keras functional
// topology ({"class_name": "Functional", "config": {"name", "layers", "input_layers",
// "output_layers"}}) holding the selected layers and only the edges among them, plus the editor's
// {"tessel_layout": {...}} positions. Pasting accepts that, any Keras/TF.js model JSON (Functional,
// Sequential, a whole model.json) or a single layer ({"class_name": "Dense", "config": {...}}),
// e.g. typed in a text editor. Pasted names are made unique as Keras does ("dense" -> "dense_1").
#include <QPointF>
#include <QString>
#include <QStringList>
#include <map>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "ui/editor/GraphCommands.h"

namespace tessel::ui {

struct GraphFragment {
  std::vector<NodeSpec> nodes;  // producers before consumers; inputs only name fragment nodes
  std::map<std::string, QPointF> positions;  // every node (laid out when the JSON had none)
  bool hadLayout = false;                    // positions came from "tessel_layout"
};

class GraphClipboard {
 public:
  // The Keras JSON of the nodes `ids` (in document order) and the edges among them.
  static json toJson(const GraphDocument& doc, const std::vector<NodeId>& ids);
  static QString toText(const GraphDocument& doc, const std::vector<NodeId>& ids);
  // The same for nodes given by name.
  static json toJson(const GraphDocument& doc, const QStringList& names);
  static QString toText(const GraphDocument& doc, const QStringList& names);
  // Parses clipboard text. Throws tessel::Error with one line when it is not model JSON.
  static GraphFragment parse(const QString& text);
  static GraphFragment fromJson(const json& j);
  // Renames the fragment's nodes that clash with `existing` (Keras style: the name without its
  // "_<n>" suffix, then "<base>_1", "<base>_2", ... the first free), updating its edges.
  static void makeNamesUnique(GraphFragment& fragment, const ModelSpec& existing);
  // Keras's unique name for `name` among `taken`.
  static std::string uniqueName(const std::string& name, const std::vector<std::string>& taken);
};

// Inserts a fragment (already renamed) with its positions shifted by `offset`; one undo step.
class PasteCommand : public GraphCommand {
 public:
  PasteCommand(GraphDocument* doc, GraphFragment fragment, QPointF offset,
               const QString& text = QObject::tr("Paste"), QUndoCommand* parent = nullptr);
  // The pasted nodes' ids in fragment order, reserved at construction.
  const std::vector<NodeId>& nodeIds() const { return ids_; }

 protected:
  QString apply() override;
  void revert() override;

 private:
  GraphFragment fragment_;
  QPointF offset_;
  std::vector<NodeId> ids_;
};

}  // namespace tessel::ui
