#pragma once
// The scene's composite blocks: a GroupItem per block of the document (engine/graph/Blocks.h),
// which layers a collapsed block hides, where its frame or box goes, and where edges into and out
// of a collapsed block end (on its ports; an edge inside one is hidden). GraphScene owns one and
// asks it; it changes only items (visibility, geometry), never the document.
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <vector>

#include "ui/editor/NodeId.h"

namespace tessel::ui {

class GraphDocument;
class GraphScene;
class GroupItem;

class BlockOverlay : public QObject {
 public:
  BlockOverlay(GraphScene* scene, GraphDocument* doc);  // a child of the scene
  ~BlockOverlay() override;

  void clear();  // removes every block item (the scene is rebuilt)

  // Items, contents, visibility of blocks and layers, geometry: after any document change.
  void sync();
  // Geometry only (a layer moved or changed size).
  void layout();

  GroupItem* item(const QString& block) const { return items_.value(block); }
  QList<GroupItem*> items() const { return items_.values(); }
  // The visible collapsed block that hides the layer (nullptr when the layer is shown).
  GroupItem* collapsedOwner(NodeId id) const { return owner_.value(id); }
  // The layers of a block (nested blocks' included), document order.
  QList<NodeId> members(const QString& block) const { return members_.value(block); }
  // Edge ends for from -> to (port) reading output `output` of `from`: false when both ends are
  // inside one collapsed block.
  bool route(NodeId from, NodeId to, int port, QPointF& start, QPointF& end, int output = 0) const;
  // The layer whose output leaves the block (kInvalidNodeId when it has none): the first output.
  NodeId outputOf(const QString& block) const { return outputs_.value(block, kInvalidNodeId); }
  // Every output of the block in port order: (layer, which of its outputs).
  QList<QPair<NodeId, int>> outputsOf(const QString& block) const {
    return outputPorts_.value(block);
  }

 private:
  GraphScene* scene_;
  GraphDocument* doc_;
  QHash<QString, GroupItem*> items_;
  QHash<QString, QList<NodeId>> members_;
  QHash<QString, QStringList> inputs_;  // outside producers, port order
  QHash<QString, NodeId> outputs_;
  QHash<QString, QList<QPair<NodeId, int>>> outputPorts_;
  QHash<NodeId, GroupItem*> owner_;
  QStringList order_;  // outermost first
  QHash<QString, bool> visible_;
};

}  // namespace tessel::ui
