#pragma once
// The canvas: mirrors a GraphDocument (a NodeItem per layer, an EdgeItem per edge) and turns
// gestures into undo commands: a drag from an output port to an input port connects, moving
// nodes pushes one MoveNodes on release, deleteSelection removes through the undo stack. It never
// changes the document's state any other way, and items only change in response to the
// document's signals.
#include <QGraphicsScene>
#include <QHash>
#include <QMap>
#include <QPointer>
#include <QUndoStack>
#include <functional>

#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphFixes.h"

class QGraphicsPathItem;

namespace tessel::ui {

class NodeItem;
class EdgeItem;
class BlockOverlay;
class GroupItem;

class GraphScene : public QGraphicsScene {
  Q_OBJECT

 public:
  GraphScene(GraphDocument* doc, QUndoStack* stack, QObject* parent = nullptr);

  GraphDocument* document() const { return doc_; }
  QUndoStack* undoStack() const { return stack_; }
  // Items are found by node id; the by-name overloads resolve the current layer name first.
  NodeItem* nodeItem(NodeId id) const { return nodes_.value(id); }
  NodeItem* nodeItem(const QString& name) const { return nodes_.value(doc_->idOf(name)); }
  QList<EdgeItem*> edgeItems() const;
  EdgeItem* edgeItem(NodeId from, NodeId to, int port = 0) const;
  EdgeItem* edgeItem(const QString& from, const QString& to, int port = 0) const;
  QList<NodeId> selectedNodeIds() const;  // in document order
  QStringList selectedNodeNames() const;  // in document order

  // Pushes AddNode with the node centred on `scenePos`; returns the new node (kInvalidNodeId if
  // refused, with message() emitted).
  NodeId addNodeAt(const QString& className, QPointF scenePos);
  // Removes the selected nodes and edges through the undo stack (one step).
  void deleteSelection();
  // Pushes Connect (from `from`'s output `output`); on refusal emits message() with the reason.
  QString connectNodes(NodeId from, NodeId to, int port, int output = 0);

  // Selects exactly these nodes (nothing else).
  void selectNodes(const QList<NodeId>& ids);
  void selectNodes(const QStringList& names);
  // Suggested fixes of a node and applying one (one undo step; emits fixApplied).
  QList<GraphFix> fixesFor(NodeId id) const;
  QString applyFix(const GraphFix& fix);

  // Called by NodeItem when it moves (keeps its edges attached).
  void nodeItemMoved(NodeItem* item);

  // --- composite blocks (BlockOverlay, GroupItem) ---
  BlockOverlay* blocks() const { return blocks_; }
  GroupItem* groupItem(const QString& block) const;
  GroupItem* groupAt(QPointF scenePos) const;  // the innermost block item there
  void toggleBlock(const QString& block);      // collapse <-> expand (double-click)
  void groupItemMoved(GroupItem* item);        // a collapsed block is dragged
  // Palette entries named "block:<name>" (BlockLibrary) insert that block; set by the editor.
  std::function<NodeId(const QString& block, QPointF scenePos)> insertBlock;

 signals:
  void message(const QString& text);  // a refused gesture's reason (for a status line)
  void fixApplied(tessel::ui::NodeId node, const QString& label);
  // Right click on the canvas (node: kInvalidNodeId on the background): the editor shows its
  // menu (fixes, cut/copy/paste, ...).
  void contextMenuRequested(tessel::ui::NodeId node, QPoint screenPos);

 public:
  // While an expression of node `id` is typed (not yet committed), its outgoing edges of output 0
  // show the shape it would give; an empty shape puts the current labels back.
  void previewOutputShape(NodeId id, const QString& shape);

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
  void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;

 private:
  void rebuild();
  void addNodeItem(NodeId id);
  void removeNodeItem(NodeId id);
  void rebuildEdgesInto(NodeId to);
  void refreshNode(NodeId id);
  void refreshAll();
  void labelEdge(EdgeItem* edge);  // shape label and tooltip (current layer names)
  void updateEdgeGeometry(EdgeItem* edge);
  void placeLabel(EdgeItem* edge);        // where no node covers it
  void placeLabelsUnder(NodeItem* item);  // labels the node covers (it moved or appeared)
  NodeItem* nodeAt(QPointF scenePos, NodeItem* except = nullptr) const;

  GraphDocument* doc_;
  QUndoStack* stack_;
  QHash<NodeId, NodeItem*> nodes_;
  QHash<NodeId, QList<EdgeItem*>> edgesInto_;  // consumer -> edges in port order
  // Edge drag from an output port.
  NodeId dragFrom_ = kInvalidNodeId;
  int dragOutput_ = 0;  // which output port of dragFrom_
  QGraphicsPathItem* dragPath_ = nullptr;
  // Node positions at mouse press, to push one MoveNodes on release.
  QMap<NodeId, QPointF> pressPositions_;
  QMap<QString, QPointF> pressGroups_;  // collapsed blocks selected at mouse press
  bool syncing_ = false;
  BlockOverlay* blocks_ = nullptr;
  void syncBlocks();
};

}  // namespace tessel::ui
