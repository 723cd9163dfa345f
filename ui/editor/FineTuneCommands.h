#pragma once
// Undo commands for transfer learning in the editor (engine side: engine/graph/FineTune.h):
// freezing / unfreezing several layers as one step, and "Replace head" (cut the graph after a
// layer, append GlobalAveragePooling2D + Dropout + Dense) as one step.
#include <map>
#include <optional>
#include <vector>

#include "engine/graph/FineTune.h"
#include "ui/editor/GraphCommands.h"

namespace tessel::ui {

// Sets config "trainable" on several layers at once (InputLayers are skipped).
class SetTrainableCommand : public GraphCommand {
 public:
  SetTrainableCommand(GraphDocument* doc, std::map<NodeId, bool> trainable, const QString& text,
                      QUndoCommand* parent = nullptr);
  int changeCount() const { return static_cast<int>(changes_.size()); }

 protected:
  QString apply() override;
  void revert() override;
  bool changesIo() const override { return false; }

 private:
  struct Change {
    NodeId id;
    bool trainable;
    std::optional<json> old;  // the config value before (absent: no key)
  };
  std::vector<Change> changes_;
};

// The flags that give `spec` (the document's model after an engine FineTune operation): one
// entry per layer whose flag differs from the document's.
std::map<NodeId, bool> trainableChanges(const GraphDocument& doc, const ModelSpec& wanted);

// Replaces everything downstream of `cut` by a new classifier head (engine replaceHead()).
class ReplaceHeadCommand : public GraphCommand {
 public:
  ReplaceHeadCommand(GraphDocument* doc, NodeId cut, HeadOptions options,
                     QUndoCommand* parent = nullptr);
  // The head's nodes, in order (valid once applied).
  const std::vector<NodeId>& addedIds() const { return addedIds_; }

 protected:
  QString apply() override;
  void revert() override;

 private:
  NodeId cut_;
  HeadOptions options_;
  bool planned_ = false;
  std::vector<NodeId> removeOrder_;  // consumers before producers
  std::vector<GraphDocument::RemovedNode> removed_;
  std::vector<std::pair<NodeSpec, QPointF>> added_;
  std::vector<NodeId> addedIds_;
};

}  // namespace tessel::ui
