#include "ui/editor/BlockOverlay.h"

#include <QSet>

#include "engine/graph/Blocks.h"
#include "engine/graph/FineTune.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GroupItem.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {
QString q(const std::string& s) {
  return QString::fromStdString(s);
}
}  // namespace

BlockOverlay::BlockOverlay(GraphScene* scene, GraphDocument* doc)
    : QObject(scene), scene_(scene), doc_(doc) {}

BlockOverlay::~BlockOverlay() = default;  // items belong to the scene

void BlockOverlay::clear() {
  qDeleteAll(items_);
  items_.clear();
  members_.clear();
  inputs_.clear();
  outputs_.clear();
  outputPorts_.clear();
  owner_.clear();
  order_.clear();
  visible_.clear();
}

void BlockOverlay::sync() {
  const ModelSpec& spec = doc_->spec();
  QSet<QString> names;
  for (const BlockSpec& b : spec.groups) names.insert(q(b.name));
  for (auto it = items_.begin(); it != items_.end();) {
    if (!names.contains(it.key())) {
      delete it.value();
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
  members_.clear();
  inputs_.clear();
  outputs_.clear();
  outputPorts_.clear();
  owner_.clear();
  order_.clear();
  visible_.clear();
  QHash<QString, bool> hiddenInside;  // an enclosing block is collapsed or hidden
  for (const BlockSpec& b : spec.groups) {
    const QString name = q(b.name);
    order_ << name;
    GroupItem*& item = items_[name];
    if (!item) {
      item = new GroupItem(scene_, name);
      scene_->addItem(item);
    }
    QList<NodeId> ids;
    bool frozen = !b.nodes.empty();
    for (const auto& n : b.nodes) {
      const NodeId id = doc_->idOf(q(n));
      if (id == kInvalidNodeId) continue;
      ids << id;
      if (const NodeSpec* node = doc_->node(id); node && isTrainable(*node)) frozen = false;
    }
    members_.insert(name, ids);
    GroupItem::Content c;
    c.name = name;
    c.collapsed = b.collapsed;
    c.layerCount = static_cast<int>(ids.size());
    c.frozen = frozen;
    QStringList inputs;
    std::string output;
    QList<QPair<NodeId, int>> outs;
    QStringList shapes;
    try {
      const BlockPorts ports = blockPorts(spec, b);
      for (const auto& p : ports.inputs) inputs << q(p);
      output = ports.output;
      for (const auto& [member, tensor] : ports.outputs) {
        const NodeId id = doc_->idOf(q(member));
        outs << qMakePair(id, tensor);
        shapes << doc_->outputShapeText(id, tensor);
      }
    } catch (const std::exception& e) {
      c.error = QString::fromUtf8(e.what());
      // Still drawn: its outside producers as ports, its last layer as output.
      QSet<QString> mine;
      for (const auto& n : b.nodes) mine.insert(q(n));
      for (const auto& n : b.nodes)
        if (const NodeSpec* node = spec.find(n))
          for (const auto& in : node->inputs)
            if (!mine.contains(q(in)) && !inputs.contains(q(in))) inputs << q(in);
      if (!b.nodes.empty()) output = b.nodes.back();
    }
    inputs_.insert(name, inputs);
    const NodeId out = doc_->idOf(q(output));
    outputs_.insert(name, out);
    if (outs.isEmpty()) outs << qMakePair(out, 0);
    outputPorts_.insert(name, outs);
    c.inputPorts = static_cast<int>(inputs.size());
    c.outputPorts = static_cast<int>(outs.size());
    c.outputShape = shapes.size() > 1 ? shapes.join(", ") : doc_->outputShapeText(out);
    const BlockSpec* parent = findBlock(spec, b.parent);
    const bool hidden = parent && (parent->collapsed || hiddenInside.value(q(parent->name), false));
    hiddenInside.insert(name, hidden);
    c.depth = 0;
    for (const BlockSpec* p = parent; p && c.depth < 64; p = findBlock(spec, p->parent)) ++c.depth;
    item->setContent(c);
    item->setVisible(!hidden);
    if (hidden) item->setSelected(false);
    visible_.insert(name, !hidden);
    if (!hidden && b.collapsed)
      for (NodeId id : ids)
        if (!owner_.contains(id)) owner_.insert(id, item);
  }
  for (NodeId id : doc_->nodeIds()) {
    NodeItem* n = scene_->nodeItem(id);
    if (!n) continue;
    const bool show = !owner_.contains(id);
    if (!show && n->isSelected()) n->setSelected(false);
    n->setVisible(show);
  }
  layout();
}

void BlockOverlay::layout() {
  // Innermost first: an expanded block's frame wraps its children's frames and boxes.
  for (auto it = order_.crbegin(); it != order_.crend(); ++it) {
    GroupItem* item = items_.value(*it);
    if (!item || !visible_.value(*it)) continue;
    const QList<NodeId> ids = members_.value(*it);
    if (ids.isEmpty()) continue;
    if (item->collapsed()) {
      QPointF topLeft = doc_->position(ids.first());
      for (NodeId id : ids) {
        const QPointF p = doc_->position(id);
        topLeft = QPointF(std::min(topLeft.x(), p.x()), std::min(topLeft.y(), p.y()));
      }
      item->setCollapsedAt(topLeft);
      continue;
    }
    QRectF box;
    for (NodeId id : ids) {
      NodeItem* n = scene_->nodeItem(id);
      if (n && n->isVisible())
        box = box.united(QRectF(n->pos(), QSizeF(NodeItem::kWidth, n->height())));
    }
    const std::vector<const BlockSpec*> children = childBlocks(doc_->spec(), it->toStdString());
    for (const BlockSpec* c : children)
      if (GroupItem* ci = items_.value(q(c->name)); ci && ci->isVisible())
        box = box.united(ci->sceneBox().adjusted(0, 0, 6, 6));  // the stacked cards
    item->setFrame(box);
  }
}

bool BlockOverlay::route(NodeId from, NodeId to, int port, QPointF& start, QPointF& end,
                         int output) const {
  GroupItem* a = owner_.value(from);
  GroupItem* b = owner_.value(to);
  if (a && a == b) return false;
  NodeItem* na = scene_->nodeItem(from);
  NodeItem* nb = scene_->nodeItem(to);
  if (a)
    start = a->outputPortScenePos(
        std::max<qsizetype>(0, outputPorts_.value(a->name()).indexOf(qMakePair(from, output))));
  else if (na)
    start = na->outputPortScenePos();
  if (b) {
    const int index = std::max<qsizetype>(0, inputs_.value(b->name()).indexOf(doc_->nameOf(from)));
    end = b->inputPortScenePos(static_cast<int>(index));
  } else if (nb) {
    end = nb->inputPortScenePos(port);
  }
  return true;
}

}  // namespace tessel::ui
