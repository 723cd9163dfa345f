#include "ui/editor/GraphScene.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QSet>
#include <QSignalBlocker>

#include "engine/graph/FineTune.h"
#include "engine/layers/LayerRegistry.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/BlockOverlay.h"
#include "ui/editor/EdgeItem.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GroupCommands.h"
#include "ui/editor/GroupItem.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {

QString compact(const json& v) {
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  if (v.is_array()) {
    QStringList parts;
    for (const auto& e : v) parts << (e.is_null() ? QString("None") : compact(e));
    return parts.join("×");
  }
  return QString::fromStdString(v.dump());
}

// Whether `v` is the Keras default `def`, an int standing for a list of equal ints included
// (strides 1 is strides (1, 1)).
bool isDefault(const json& v, const json& def) {
  if (v == def) return true;
  if (!v.is_number_integer() || !def.is_array() || def.empty()) return false;
  for (const auto& e : def)
    if (e != v) return false;
  return true;
}

// A shape given with its batch dimension, shown without it: "(28, 28, 1)" as Keras prints an
// input's shape.
QString shapeWithoutBatch(const json& s) {
  QStringList dims;
  for (size_t i = 1; i < s.size(); ++i) dims << (s[i].is_null() ? "None" : compact(s[i]));
  return "(" + dims.join(", ") + ")";
}

// "Dense 100 · selu": the type and the settings a reader looks for first, as the layer's catalog
// entry lists them (LayerInfo::subtitleKeys).
QString subtitleFor(const NodeSpec& node, const LayerInfo* info) {
  const json& c = node.config;
  QStringList parts;
  for (const SubtitleKey& k : info ? info->subtitleKeys : std::vector<SubtitleKey>{}) {
    if (!c.contains(k.key) || c[k.key].is_null()) continue;
    const ParamSpec* p = info->param(k.key);
    if (k.whenChanged && p && isDefault(c[k.key], p->defaultValue)) continue;
    const bool shape = p && p->type == ParamType::Shape && c[k.key].is_array();
    parts << QString::fromStdString(k.prefix) +
                 (shape ? shapeWithoutBatch(c[k.key]) : compact(c[k.key]));
  }
  const QString type = QString::fromStdString(node.className);
  return parts.isEmpty() ? type : type + " " + parts.join(" · ");
}

}  // namespace

GraphScene::GraphScene(GraphDocument* doc, QUndoStack* stack, QObject* parent)
    : QGraphicsScene(parent), doc_(doc), stack_(stack) {
  blocks_ = new BlockOverlay(this, doc_);  // a child QObject of the scene
  connect(doc_, &GraphDocument::groupsChanged, this, &GraphScene::syncBlocks);
  // No background brush: GraphView paints one from its palette (light or dark).
  connect(doc_, &GraphDocument::modelReset, this, &GraphScene::rebuild);
  connect(doc_, &GraphDocument::nodeAdded, this, &GraphScene::addNodeItem);
  connect(doc_, &GraphDocument::nodeRemoved, this, &GraphScene::removeNodeItem);
  connect(doc_, &GraphDocument::nodeChanged, this, &GraphScene::refreshNode);
  // Items and edges are keyed by id: a rename only changes the title.
  connect(doc_, &GraphDocument::nodeRenamed, this,
          [this](NodeId id, const QString&, const QString& newName) {
            if (NodeItem* item = nodes_.value(id)) item->setName(newName);
            refreshNode(id);
          });
  connect(doc_, &GraphDocument::nodeMoved, this, [this](NodeId id, QPointF pos) {
    if (NodeItem* item = nodes_.value(id)) item->setPos(pos);
  });
  connect(doc_, &GraphDocument::edgeAdded, this,
          [this](NodeId, NodeId to, int) { rebuildEdgesInto(to); });
  connect(doc_, &GraphDocument::edgeRemoved, this,
          [this](NodeId, NodeId to, int) { rebuildEdgesInto(to); });
  connect(doc_, &GraphDocument::validated, this, &GraphScene::refreshAll);
  rebuild();
}

QList<EdgeItem*> GraphScene::edgeItems() const {
  QList<EdgeItem*> out;
  for (const auto& list : edgesInto_) out += list;
  return out;
}

EdgeItem* GraphScene::edgeItem(NodeId from, NodeId to, int port) const {
  for (EdgeItem* e : edgesInto_.value(to))
    if (e->from() == from && e->port() == port) return e;
  return nullptr;
}

EdgeItem* GraphScene::edgeItem(const QString& from, const QString& to, int port) const {
  return edgeItem(doc_->idOf(from), doc_->idOf(to), port);
}

QList<NodeId> GraphScene::selectedNodeIds() const {
  QSet<NodeId> inBlocks;  // a selected block stands for its layers
  for (QGraphicsItem* g : selectedItems())
    if (g->type() == GroupItem::Type)
      for (NodeId id : blocks_->members(static_cast<GroupItem*>(g)->name())) inBlocks.insert(id);
  QList<NodeId> out;
  for (NodeId id : doc_->nodeIds())
    if (NodeItem* item = nodes_.value(id); item && (item->isSelected() || inBlocks.contains(id)))
      out << id;
  return out;
}

QStringList GraphScene::selectedNodeNames() const {
  QStringList out;
  for (NodeId id : selectedNodeIds()) out << doc_->nameOf(id);
  return out;
}

void GraphScene::rebuild() {
  for (const auto& list : edgesInto_) qDeleteAll(list);
  edgesInto_.clear();
  qDeleteAll(nodes_);
  nodes_.clear();
  blocks_->clear();
  for (NodeId id : doc_->nodeIds()) addNodeItem(id);
  refreshAll();
}

void GraphScene::addNodeItem(NodeId id) {
  if (nodes_.contains(id) || !doc_->hasNode(id)) return;
  auto* item = new NodeItem(id, doc_->nameOf(id));
  syncing_ = true;
  item->setPos(doc_->position(id));
  syncing_ = false;
  addItem(item);
  nodes_.insert(id, item);
  placeLabelsUnder(item);
  refreshNode(id);
  rebuildEdgesInto(id);
  for (const auto& [consumer, port] : doc_->consumers(id)) rebuildEdgesInto(consumer);
}

void GraphScene::removeNodeItem(NodeId id) {
  qDeleteAll(edgesInto_.take(id));
  for (auto it = edgesInto_.begin(); it != edgesInto_.end(); ++it) {
    for (int i = it->size() - 1; i >= 0; --i)
      if ((*it)[i]->from() == id) delete it->takeAt(i);
  }
  delete nodes_.take(id);
}

void GraphScene::rebuildEdgesInto(NodeId to) {
  qDeleteAll(edgesInto_.take(to));
  const NodeSpec* node = doc_->node(to);
  if (!node || !nodes_.contains(to)) return;
  QList<EdgeItem*> list;
  for (size_t p = 0; p < node->inputs.size(); ++p) {
    const NodeId from = doc_->idOf(QString::fromStdString(node->inputs[p]));
    if (!nodes_.contains(from)) continue;
    auto* edge = new EdgeItem(from, to, static_cast<int>(p));
    edge->setOutput(node->inputTensor(p));
    addItem(edge);
    list << edge;
  }
  edgesInto_.insert(to, list);
  refreshNode(to);
  for (EdgeItem* e : list) {
    labelEdge(e);
    updateEdgeGeometry(e);
  }
}

void GraphScene::refreshNode(NodeId id) {
  NodeItem* item = nodes_.value(id);
  const NodeSpec* node = doc_->node(id);
  if (!item || !node) return;
  const LayerInfo* info = LayerRegistry::instance().find(node->className);
  NodeItem::Content c;
  c.className = QString::fromStdString(node->className);
  c.group = NodeItem::lookGroup(info);
  c.subtitle = subtitleFor(*node, info);
  c.outputShape = doc_->outputShapeText(id);
  c.error = doc_->errorText(id);
  const QList<GraphFix> fixes = GraphFixes::suggest(*doc_, id);
  c.fixCount = static_cast<int>(fixes.size());
  if (!fixes.isEmpty()) {
    c.fixLabel = fixes.first().label;
    if (c.error.isEmpty()) c.hint = fixes.first().why;
  }
  c.connectedInputs = static_cast<int>(node->inputs.size());
  if (const QStringList outs = doc_->outputNames(id); outs.size() > 1) {
    c.outputNames = outs;
    for (int k = 0; k < outs.size(); ++k) c.outputShapes << doc_->outputShapeText(id, k);
  }
  const int maxInputs = info ? info->maxInputs : 1;
  if (maxInputs == 1 || maxInputs == 0) {
    c.inputPorts = maxInputs;
  } else {
    // Merge layers: one free port more than connected (up to the maximum), at least minInputs.
    int n = c.connectedInputs + 1;
    if (maxInputs > 0) n = std::min(n, maxInputs);
    c.inputPorts = std::max(n, info ? info->minInputs : 1);
  }
  const auto& outs = doc_->spec().outputs;
  c.isModelOutput = std::find(outs.begin(), outs.end(), node->name) != outs.end();
  c.frozen = !isTrainable(*node);
  item->setContent(c);
  for (EdgeItem* e : edgesInto_.value(id)) updateEdgeGeometry(e);
}

void GraphScene::refreshAll() {
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it) refreshNode(it.key());
  blocks_->sync();
  for (const auto& list : edgesInto_)
    for (EdgeItem* e : list) {
      labelEdge(e);
      updateEdgeGeometry(e);
    }
}

void GraphScene::labelEdge(EdgeItem* edge) {
  const QString label = doc_->outputShapeText(edge->from(), edge->output());
  edge->setLabel(label);
  edge->setMasked(doc_->outputMasked(edge->from(), edge->output()));
  QString from = doc_->nameOf(edge->from());
  if (const QStringList outs = doc_->outputNames(edge->from()); outs.size() > 1)
    from += "[" + outs.value(edge->output()) + "]";
  QString tip = QString("%1 → %2 %3").arg(from, doc_->nameOf(edge->to()), label);
  if (edge->masked()) tip += "\n" + tr("carries a mask: padded time steps are skipped downstream");
  if (edge->toolTip() != tip) edge->setToolTip(tip);
}

void GraphScene::previewOutputShape(NodeId id, const QString& shape) {
  for (const auto& list : edgesInto_)
    for (EdgeItem* e : list) {
      if (e->from() != id || e->output() != 0) continue;
      if (shape.isEmpty())
        labelEdge(e);
      else
        e->setLabel(shape);
      updateEdgeGeometry(e);
    }
}

void GraphScene::updateEdgeGeometry(EdgeItem* edge) {
  NodeItem* a = nodes_.value(edge->from());
  NodeItem* b = nodes_.value(edge->to());
  if (!a || !b) return;
  // Edges into and out of a collapsed block end on its ports; inside one they are hidden.
  QPointF start, end;
  const bool shown =
      blocks_->route(edge->from(), edge->to(), edge->port(), start, end, edge->output());
  edge->setVisible(shown);
  if (!shown) return;
  // A node with several outputs: the edge leaves the port of the output it reads.
  if (!blocks_->collapsedOwner(edge->from())) start = a->outputPortScenePos(edge->output());
  edge->setEnds(start, end);
  placeLabel(edge);
}

void GraphScene::placeLabel(EdgeItem* edge) {
  edge->placeLabel([this](const QRectF& r) {
    for (QGraphicsItem* item : items(r, Qt::IntersectsItemBoundingRect))
      if (item->type() == NodeItem::Type ||
          (item->type() == GroupItem::Type && static_cast<GroupItem*>(item)->collapsed()))
        return true;
    return false;
  });
}

void GraphScene::placeLabelsUnder(NodeItem* item) {
  const QRectF box = item->sceneBoundingRect();
  for (const auto& list : edgesInto_)
    for (EdgeItem* e : list)
      if (e->labelRaised() || e->labelSceneRect().intersects(box)) placeLabel(e);
}

void GraphScene::nodeItemMoved(NodeItem* item) {
  blocks_->layout();
  if (GroupItem* owner = blocks_->collapsedOwner(item->id())) {  // hidden in a collapsed block
    groupItemMoved(owner);
    return;
  }
  placeLabelsUnder(item);
  for (EdgeItem* e : edgesInto_.value(item->id())) updateEdgeGeometry(e);
  for (const auto& [consumer, port] : doc_->consumers(item->id()))
    for (EdgeItem* e : edgesInto_.value(consumer))
      if (e->from() == item->id()) updateEdgeGeometry(e);
}

NodeItem* GraphScene::nodeAt(QPointF scenePos, NodeItem* except) const {
  // Ports stick out of the box: search a few pixels around the point.
  const QRectF area(scenePos - QPointF(8, 8), QSizeF(16, 16));
  for (QGraphicsItem* item : items(area, Qt::IntersectsItemShape, Qt::DescendingOrder))
    if (item->type() == NodeItem::Type && item != except) return static_cast<NodeItem*>(item);
  return nullptr;
}

NodeId GraphScene::addNodeAt(const QString& className, QPointF scenePos) {
  if (className.startsWith(BlockLibrary::kPrefix)) {  // a saved block from the palette
    if (!insertBlock) return kInvalidNodeId;
    return insertBlock(className.mid(BlockLibrary::kPrefix.size()), scenePos);
  }
  QPointF pos = scenePos - QPointF(NodeItem::kWidth / 2, 30);
  // Do not stack a new node exactly on another one.
  for (int i = 0; i < 20; ++i) {
    bool taken = false;
    for (NodeItem* n : nodes_)
      if ((n->pos() - pos).manhattanLength() < 8) taken = true;
    if (!taken) break;
    pos += QPointF(24, 24);
  }
  auto* cmd = new AddNodeCommand(doc_, className, pos);
  const NodeId id = cmd->nodeId();
  const QString why = GraphCommand::push(stack_, cmd);
  if (!why.isEmpty()) {
    emit message(why);
    return kInvalidNodeId;
  }
  return id;
}

QString GraphScene::connectNodes(NodeId from, NodeId to, int port, int output) {
  const QString why =
      GraphCommand::push(stack_, (new ConnectCommand(doc_, from, to, port))->fromOutput(output));
  if (!why.isEmpty()) emit message(why);
  return why;
}

void GraphScene::deleteSelection() {
  const QList<NodeId> nodes = selectedNodeIds();
  QList<EdgeItem*> edges;
  for (QGraphicsItem* item : selectedItems())
    if (item->type() == EdgeItem::Type) {
      auto* e = static_cast<EdgeItem*>(item);
      if (!nodes.contains(e->from()) && !nodes.contains(e->to())) edges << e;
    }
  if (nodes.isEmpty() && edges.isEmpty()) return;
  // Edges first, highest port first so the remaining ports keep their index.
  std::sort(edges.begin(), edges.end(), [](EdgeItem* a, EdgeItem* b) {
    return a->to() != b->to() ? a->to() < b->to() : a->port() > b->port();
  });
  struct E {
    NodeId from, to;
    int port;
  };
  QList<E> plan;
  for (EdgeItem* e : edges) plan << E{e->from(), e->to(), e->port()};
  stack_->beginMacro(nodes.size() + plan.size() == 1 && nodes.size() == 1
                         ? tr("Delete %1").arg(doc_->nameOf(nodes.first()))
                         : tr("Delete selection"));
  for (const E& e : plan) stack_->push(new DisconnectCommand(doc_, e.from, e.to, e.port));
  for (NodeId n : nodes) stack_->push(new RemoveNodeCommand(doc_, n));
  stack_->endMacro();
}

void GraphScene::selectNodes(const QList<NodeId>& ids) {
  {
    // One selectionChanged for the whole change, not one per item.
    const QSignalBlocker block(this);
    clearSelection();
    for (NodeId id : ids)
      if (NodeItem* item = nodes_.value(id)) item->setSelected(true);
  }
  emit selectionChanged();
}

void GraphScene::selectNodes(const QStringList& names) {
  QList<NodeId> ids;
  for (const QString& n : names) ids << doc_->idOf(n);
  selectNodes(ids);
}

QList<GraphFix> GraphScene::fixesFor(NodeId id) const {
  return GraphFixes::suggest(*doc_, id);
}

QString GraphScene::applyFix(const GraphFix& fix) {
  const QString why = GraphFixes::apply(doc_, stack_, fix);
  if (!why.isEmpty()) {
    emit message(why);
    return why;
  }
  emit fixApplied(fix.node, fix.label);
  return {};
}

GroupItem* GraphScene::groupItem(const QString& block) const {
  return blocks_->item(block);
}

GroupItem* GraphScene::groupAt(QPointF scenePos) const {
  const QRectF area(scenePos - QPointF(4, 4), QSizeF(8, 8));
  for (QGraphicsItem* item : items(area, Qt::IntersectsItemShape, Qt::DescendingOrder))
    if (item->type() == GroupItem::Type) return static_cast<GroupItem*>(item);
  return nullptr;
}

void GraphScene::toggleBlock(const QString& block) {
  GroupItem* g = blocks_->item(block);
  if (!g) return;
  // One undo step (GroupCommands.h); without a stack the document directly.
  const QString why =
      stack_ ? GraphCommand::push(stack_, GroupsCommand::setCollapsed(doc_, block, !g->collapsed()))
             : doc_->setGroupCollapsed(block, !g->collapsed());
  if (!why.isEmpty()) emit message(why);
}

void GraphScene::groupItemMoved(GroupItem* item) {
  for (const auto& list : edgesInto_)
    for (EdgeItem* e : list)
      if (blocks_->collapsedOwner(e->from()) == item || blocks_->collapsedOwner(e->to()) == item)
        updateEdgeGeometry(e);
}

void GraphScene::syncBlocks() {
  blocks_->sync();
  for (const auto& list : edgesInto_)
    for (EdgeItem* e : list) updateEdgeGeometry(e);
}

void GraphScene::contextMenuEvent(QGraphicsSceneContextMenuEvent* event) {
  NodeItem* node = nodeAt(event->scenePos());
  if (node && !node->isSelected()) selectNodes(QList<NodeId>{node->id()});
  if (GroupItem* g = node ? nullptr : groupAt(event->scenePos()); g && !g->isSelected()) {
    clearSelection();
    g->setSelected(true);
  }
  emit contextMenuRequested(node ? node->id() : kInvalidNodeId, event->screenPos());
  event->accept();
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    if (NodeItem* node = nodeAt(event->scenePos()); node && node->fixBadgeAt(event->scenePos())) {
      // The node's "Fix" badge: apply its first suggested fix.
      const QList<GraphFix> fixes = fixesFor(node->id());
      event->accept();
      if (!fixes.isEmpty()) applyFix(fixes.first());
      return;
    }
    if (NodeItem* node = nodeAt(event->scenePos())) {
      auto port = node->portAt(event->scenePos());
      if (port && port->output) {
        dragFrom_ = node->id();
        dragOutput_ = port->index;
        dragPath_ = new QGraphicsPathItem;
        dragPath_->setPen(QPen(QColor(0x1e, 0x88, 0xe5), 2, Qt::DashLine));
        dragPath_->setZValue(3);
        dragPath_->setPath(
            EdgeItem::curve(node->outputPortScenePos(dragOutput_), event->scenePos()));
        addItem(dragPath_);
        event->accept();
        return;
      }
    }
  }
  if (event->button() == Qt::LeftButton && !nodeAt(event->scenePos()))
    if (GroupItem* g = groupAt(event->scenePos()); g && g->collapsed()) {
      // The output port under the mouse (a block with several outputs has one per output).
      const auto outs = blocks_->outputsOf(g->name());
      int k = 0;
      while (k < outs.size() && QLineF(g->outputPortScenePos(k), event->scenePos()).length() >
                                    NodeItem::kPortRadius + 4)
        ++k;
      const NodeId out = k < outs.size() ? outs[k].first : kInvalidNodeId;
      if (out != kInvalidNodeId) {
        dragFrom_ = out;
        dragOutput_ = outs[k].second;
        dragPath_ = new QGraphicsPathItem;
        dragPath_->setPen(QPen(QColor(0x1e, 0x88, 0xe5), 2, Qt::DashLine));
        dragPath_->setZValue(3);
        dragPath_->setPath(EdgeItem::curve(g->outputPortScenePos(k), event->scenePos()));
        addItem(dragPath_);
        event->accept();
        return;
      }
    }
  QGraphicsScene::mousePressEvent(event);
  pressPositions_.clear();
  pressGroups_.clear();
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it)
    if (it.value()->isSelected()) pressPositions_.insert(it.key(), it.value()->pos());
  for (GroupItem* g : blocks_->items())
    if (g->isSelected() && g->collapsed() && g->isVisible())
      pressGroups_.insert(g->name(), g->pos());
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
  if (dragPath_) {
    if (NodeItem* from = nodes_.value(dragFrom_)) {
      GroupItem* owner = blocks_->collapsedOwner(dragFrom_);
      dragPath_->setPath(EdgeItem::curve(
          owner ? owner->outputPortScenePos(std::max<qsizetype>(
                      0,
                      blocks_->outputsOf(owner->name()).indexOf(qMakePair(dragFrom_, dragOutput_))))
                : from->outputPortScenePos(dragOutput_),
          event->scenePos()));
    }
    event->accept();
    return;
  }
  QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  if (dragPath_) {
    delete dragPath_;
    dragPath_ = nullptr;
    const NodeId from = dragFrom_;
    dragFrom_ = kInvalidNodeId;
    NodeItem* target = nodeAt(event->scenePos(), nodes_.value(from));
    event->accept();
    if (!target) return;
    int port = -1;  // dropped on the body: the first free port
    if (auto hit = target->portAt(event->scenePos()); hit && !hit->output) port = hit->index;
    if (port >= 0 && port < target->content().connectedInputs && target->content().inputPorts > 1) {
      emit message(tr("input %1 of '%2' is already connected; use its free port")
                       .arg(port + 1)
                       .arg(target->name()));
      return;
    }
    connectNodes(from, target->id(), port >= target->content().connectedInputs ? -1 : port,
                 dragOutput_);
    return;
  }
  QGraphicsScene::mouseReleaseEvent(event);
  // One MoveNodes for everything the drag moved.
  MoveNodesCommand::Moves moves;
  for (auto it = pressPositions_.begin(); it != pressPositions_.end(); ++it) {
    NodeItem* item = nodes_.value(it.key());
    if (item && item->pos() != it.value()) moves[it.key()] = {it.value(), item->pos()};
  }
  pressPositions_.clear();
  // A dragged collapsed block moves its layers by as much.
  for (auto it = pressGroups_.begin(); it != pressGroups_.end(); ++it) {
    GroupItem* g = blocks_->item(it.key());
    if (!g || g->pos() == it.value()) continue;
    const QPointF delta = g->pos() - it.value();
    for (NodeId id : blocks_->members(it.key()))
      if (!moves.count(id)) moves[id] = {doc_->position(id), doc_->position(id) + delta};
  }
  pressGroups_.clear();
  if (!moves.empty()) stack_->push(new MoveNodesCommand(doc_, moves));
}

}  // namespace tessel::ui
