#include "ui/editor/GroupActions.h"

#include <QAction>
#include <QInputDialog>
#include <QMenu>
#include <QUndoStack>
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "engine/core/Error.h"
#include "engine/graph/Blocks.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/BlockOverlay.h"
#include "ui/editor/BlockRenameEditor.h"
#include "ui/editor/GraphClipboard.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphLayout.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/GroupCommands.h"
#include "ui/editor/GroupItem.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {
QString q(const std::string& s) {
  return QString::fromStdString(s);
}
}  // namespace

GroupActions::GroupActions(GraphEditorWidget* editor) : QObject(editor), editor_(editor) {
  setObjectName("groupActions");
  group_ = new QAction(tr("&Group"), this);
  group_->setObjectName("groupLayers");
  group_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
  group_->setToolTip(tr("Make the selected layers one collapsible block (Ctrl+G)"));
  ungroup_ = new QAction(tr("U&ngroup"), this);
  ungroup_->setObjectName("ungroupBlock");
  ungroup_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
  byPrefix_ = new QAction(tr("Group by Name &Prefix..."), this);
  byPrefix_->setObjectName("groupByPrefix");
  byPrefix_->setToolTip(
      tr("Group layers whose names share their first parts (ResNet50: conv2_block1, ...)"));
  // Keys act on the canvas, as Delete and the clipboard do.
  for (QAction* a : {group_, ungroup_}) {
    a->setShortcutContext(Qt::WidgetShortcut);
    editor->view()->addAction(a);
  }
  connect(group_, &QAction::triggered, this, [this] { groupSelection(); });
  connect(ungroup_, &QAction::triggered, this, [this] { ungroupSelection(); });
  connect(byPrefix_, &QAction::triggered, this, [this] {
    bool ok = false;
    const int tokens = QInputDialog::getInt(
        editor_, tr("Group by Name Prefix"),
        tr("Layers whose names share this many leading '_' parts become one block\n"
           "(2: conv2_block1_1_conv -> conv2_block1; 1: the stages conv2, conv3, ...):"),
        2, 1, 8, 1, &ok);
    if (ok) groupByPrefix(tokens);
  });
  editor->scene()->insertBlock = [this](const QString& name, QPointF pos) {
    return insertBlock(name, pos);
  };
}

GroupActions* GroupActions::of(GraphEditorWidget* editor) {
  if (auto* a = editor->findChild<GroupActions*>("groupActions", Qt::FindDirectChildrenOnly))
    return a;
  return new GroupActions(editor);
}

QString GroupActions::report(const QString& why) {
  if (!why.isEmpty()) editor_->showStatus(why);
  return why;
}

QString GroupActions::freeBlockName(const QString& base) const {
  std::vector<std::string> taken;
  for (const auto& n : editor_->document()->spec().nodes) taken.push_back(n.name);
  for (const auto& g : editor_->document()->groups()) taken.push_back(g.name);
  return q(GraphClipboard::uniqueName(base.toStdString(), taken));
}

QString GroupActions::groupSelection(const QString& name) {
  GraphDocument* doc = editor_->document();
  std::vector<std::string> nodes;
  for (NodeId id : editor_->scene()->selectedNodeIds())
    if (const NodeSpec* n = doc->node(id); n && !n->isInput()) nodes.push_back(n->name);
  if (nodes.empty()) return report(tr("select the layers to group first"));
  const QString block = name.isEmpty() ? freeBlockName("block") : name;
  const QString why =
      GraphCommand::push(editor_->undoStack(), GroupsCommand::group(doc, block, nodes));
  if (!why.isEmpty()) return report(tr("cannot group: %1").arg(why));
  editor_->scene()->clearSelection();
  if (GroupItem* g = editor_->scene()->groupItem(block)) g->setSelected(true);
  return {};
}

QString GroupActions::ungroupSelection() {
  GraphScene* scene = editor_->scene();
  const ModelSpec& spec = editor_->document()->spec();
  QStringList blocks;
  for (QGraphicsItem* item : scene->selectedItems())
    if (item->type() == GroupItem::Type) blocks << static_cast<GroupItem*>(item)->name();
  if (blocks.isEmpty())
    for (NodeId id : scene->selectedNodeIds())
      if (const BlockSpec* b = blockOfNode(spec, editor_->document()->nameOf(id).toStdString())) {
        blocks << q(b->name);
        break;
      }
  if (blocks.isEmpty()) return report(tr("select a block to ungroup"));
  QUndoStack* stack = editor_->undoStack();
  stack->beginMacro(blocks.size() == 1 ? tr("Ungroup %1").arg(blocks.first()) : tr("Ungroup"));
  for (const QString& b : blocks) stack->push(GroupsCommand::ungroup(editor_->document(), b));
  stack->endMacro();
  return {};
}

QString GroupActions::groupByPrefix(int tokens, QStringList* added) {
  QStringList names;
  {
    ModelSpec trial = editor_->document()->spec();  // refused before any undo step opens
    if (groupByNamePrefix(trial, tokens).empty()) {
      if (added) added->clear();
      return report(
          tr("no layers share a name prefix of %1 part(s) that makes a block").arg(tokens));
    }
  }
  QUndoStack* stack = editor_->undoStack();
  stack->beginMacro(tr("Group by name prefix"));
  const QString why =
      GraphCommand::push(stack, GroupsCommand::groupByPrefix(editor_->document(), tokens, &names));
  if (why.isEmpty()) autoLayout(false);  // the collapsed blocks laid out as single boxes
  stack->endMacro();
  if (added) *added = names;
  if (!why.isEmpty()) return report(why);
  emit editor_->message(tr("%n block(s) made: %1", nullptr, static_cast<int>(names.size()))
                            .arg(names.mid(0, 6).join(", ") + (names.size() > 6 ? ", ..." : "")));
  return {};
}

QString GroupActions::saveToPalette(const QString& block) {
  try {
    BlockLibrary::instance().define(block, BlockLibrary::definitionOf(*editor_->document(), block));
  } catch (const std::exception& e) {
    return report(tr("cannot save block '%1': %2").arg(block, QString::fromUtf8(e.what())));
  }
  emit editor_->message(tr("Block '%1' saved to the palette (Blocks)").arg(block));
  return {};
}

NodeId GroupActions::insertBlock(const QString& name, QPointF scenePos) {
  const auto def = BlockLibrary::instance().find(name);
  if (!def) {
    report(tr("no saved block named '%1'").arg(name));
    return kInvalidNodeId;
  }
  ModelSpec model;
  try {
    model = ModelSpec::fromKerasJson(def->value("model", json()));
  } catch (const std::exception& e) {
    report(tr("saved block '%1' cannot be read: %2").arg(name, QString::fromUtf8(e.what())));
    return kInvalidNodeId;
  }
  // Its layers without the block's InputLayers (the new block's inputs are connected by hand).
  GraphFragment fragment;
  std::vector<std::string> order;
  try {
    order = topologicalOrder(model);
  } catch (const Error&) {
    for (const auto& n : model.nodes) order.push_back(n.name);
  }
  const json layout = def->value("layout", json::object());
  const std::map<std::string, QPointF> layered = GraphLayout::layered(model);
  for (const std::string& n : order) {
    NodeSpec node = *model.find(n);
    if (node.isInput()) continue;
    node.inputs.erase(std::remove_if(node.inputs.begin(), node.inputs.end(),
                                     [&](const std::string& in) {
                                       const NodeSpec* p = model.find(in);
                                       return !p || p->isInput();
                                     }),
                      node.inputs.end());
    const json xy = layout.value(n, json());
    fragment.positions[n] = xy.is_array() && xy.size() == 2
                                ? QPointF(xy[0].get<double>(), xy[1].get<double>())
                                : layered.at(n);
    fragment.nodes.push_back(std::move(node));
  }
  if (fragment.nodes.empty()) {
    report(tr("saved block '%1' has no layers").arg(name));
    return kInvalidNodeId;
  }
  std::vector<std::string> before;
  for (const auto& n : fragment.nodes) before.push_back(n.name);
  GraphClipboard::makeNamesUnique(fragment, editor_->document()->spec());
  std::map<std::string, std::string> renamed;
  for (size_t i = 0; i < before.size(); ++i) renamed[before[i]] = fragment.nodes[i].name;
  // The block and the blocks inside it, under names free in this model.
  std::map<std::string, std::string> blockNames;
  std::vector<BlockSpec> blocks;
  std::vector<std::string> taken;
  for (const auto& n : editor_->document()->spec().nodes) taken.push_back(n.name);
  for (const auto& g : editor_->document()->groups()) taken.push_back(g.name);
  for (const auto& n : fragment.nodes) taken.push_back(n.name);
  auto freeName = [&](const std::string& base) {
    const std::string n = GraphClipboard::uniqueName(base, taken);
    taken.push_back(n);
    return n;
  };
  BlockSpec top{freeName(name.toStdString()), {}, false, ""};
  for (const auto& n : fragment.nodes) top.nodes.push_back(n.name);
  blocks.push_back(top);
  for (const BlockSpec& g : model.groups) {
    BlockSpec b{freeName(g.name), {}, g.collapsed, ""};
    blockNames[g.name] = b.name;
    for (const auto& n : g.nodes)
      if (renamed.count(n)) b.nodes.push_back(renamed[n]);
    b.parent = g.parent.empty() ? top.name : blockNames[g.parent];
    blocks.push_back(b);
  }
  QRectF box;
  for (const auto& [n, p] : fragment.positions) box = box.united(QRectF(p, QSizeF(1, 1)));
  const QPointF offset = scenePos - box.topLeft();
  auto* paste = new PasteCommand(editor_->document(), fragment, offset, tr("Insert block"));
  const std::vector<NodeId> ids = paste->nodeIds();
  QUndoStack* stack = editor_->undoStack();
  stack->beginMacro(tr("Insert block %1").arg(q(top.name)));
  const QString why = GraphCommand::push(stack, paste);
  if (why.isEmpty()) stack->push(GroupsCommand::addBlocks(editor_->document(), blocks));
  stack->endMacro();
  if (!why.isEmpty()) {
    report(why);
    return kInvalidNodeId;
  }
  return ids.front();
}

QString GroupActions::autoLayout(bool macro) {
  GraphDocument* doc = editor_->document();
  GraphScene* scene = editor_->scene();
  BlockOverlay* blocks = scene->blocks();
  const ModelSpec& spec = doc->spec();
  // Units as drawn: a layer, a collapsed block (its box) or an expanded outermost block (its
  // frame, itself laid out inside from its layers and collapsed child boxes).
  auto name = [&](NodeId id) { return doc->nameOf(id).toStdString(); };
  auto leafUnit = [&](NodeId id) -> std::string {
    if (GroupItem* g = blocks->collapsedOwner(id)) return g->name().toStdString();
    return name(id);
  };
  auto topUnit = [&](NodeId id) -> std::string {
    const BlockSpec* b = blockOfNode(spec, name(id));
    while (b && !b->parent.empty()) b = findBlock(spec, b->parent);
    if (!b) return name(id);
    return b->collapsed ? b->name : "frame:" + b->name;
  };
  std::map<std::string, QSizeF> sizes;
  std::map<std::string, QPointF> corner;  // each unit's current top-left
  auto leafSize = [&](NodeId id, const std::string& unit) {
    if (GroupItem* g = blocks->collapsedOwner(id)) {
      sizes[unit] = QSizeF(NodeItem::kWidth, g->collapsedHeight());
      corner[unit] = g->pos();
    } else {
      NodeItem* item = scene->nodeItem(id);
      sizes[unit] = QSizeF(NodeItem::kWidth, item ? item->height() : 70);
      corner[unit] = doc->position(id);
    }
  };
  // The graph of `ids` seen through `unitOf`, laid out by dot.
  auto place = [&](const std::vector<NodeId>& ids,
                   const std::function<std::string(NodeId)>& unitOf) {
    ModelSpec view;
    std::set<std::string> inside;
    for (NodeId id : ids) inside.insert(name(id));
    for (NodeId id : ids) {
      const std::string unit = unitOf(id);
      NodeSpec* n = view.find(unit);
      if (!n) {
        view.nodes.push_back(NodeSpec{unit, "Unit", json::object(), {}, {}});
        n = &view.nodes.back();
      }
      for (const auto& in : doc->node(id)->inputs) {
        if (!inside.count(in)) continue;
        const std::string from = unitOf(doc->idOf(q(in)));
        if (from != unit && std::find(n->inputs.begin(), n->inputs.end(), from) == n->inputs.end())
          n->inputs.push_back(from);
      }
    }
    return GraphLayout::dot(view, sizes);
  };
  std::map<std::string, std::vector<NodeId>> frames;
  for (NodeId id : doc->nodeIds()) {
    const std::string top = topUnit(id);
    if (top.rfind("frame:", 0) == 0) {
      frames[top].push_back(id);
      leafSize(id, leafUnit(id));
    } else {
      leafSize(id, top);
    }
  }
  std::map<std::string, std::map<std::string, QPointF>> inner;  // frame -> unit -> offset
  std::map<std::string, QPointF> layout;
  try {
    for (auto& [frame, ids] : frames) {
      std::map<std::string, QPointF> l = place(ids, leafUnit);
      QRectF box;
      for (const auto& [unit, p] : l) box = box.united(QRectF(p, sizes[unit]));
      const QPointF pad(GroupItem::kPad, GroupItem::kPad + GroupItem::kHeader);
      for (auto& [unit, p] : l) p = p - box.topLeft() + pad;
      inner[frame] = l;
      sizes[frame] =
          box.size() + QSizeF(2 * GroupItem::kPad, 2 * GroupItem::kPad + GroupItem::kHeader);
      if (GroupItem* g = scene->groupItem(q(frame.substr(6)))) corner[frame] = g->pos();
    }
    std::vector<NodeId> all(doc->nodeIds().begin(), doc->nodeIds().end());
    layout = place(all, topUnit);
  } catch (const std::exception& e) {
    return report(QString::fromUtf8(e.what()));
  }
  QRectF before, after;
  for (const auto& [unit, p] : layout) {
    before = before.united(QRectF(corner[unit], sizes[unit]));
    after = after.united(QRectF(p, sizes[unit]));
  }
  const QPointF shift = before.topLeft() - after.topLeft();
  MoveNodesCommand::Moves moves;
  for (NodeId id : doc->nodeIds()) {
    const std::string top = topUnit(id);
    auto it = layout.find(top);
    if (it == layout.end()) continue;
    QPointF target;
    if (top.rfind("frame:", 0) == 0) {
      const std::string unit = leafUnit(id);
      const QPointF at = it->second + shift + inner[top][unit];
      target = doc->position(id) + (at - corner[unit]);
    } else {
      target = doc->position(id) + (it->second + shift - corner[top]);
    }
    if (target != doc->position(id)) moves[id] = {doc->position(id), target};
  }
  if (moves.empty()) return {};
  QUndoStack* stack = editor_->undoStack();
  if (macro) stack->beginMacro(tr("Auto layout"));
  stack->push(new MoveNodesCommand(doc, moves));
  if (macro) stack->endMacro();
  editor_->view()->fitAll();
  return {};
}

void GroupActions::addToMenu(QMenu* menu, GroupItem* block) {
  const bool layers = !editor_->scene()->selectedNodeIds().isEmpty();
  group_->setEnabled(layers);
  menu->addAction(group_);
  if (block) {
    const QString name = block->name();
    QAction* toggle = menu->addAction(block->collapsed() ? tr("Expand Block '%1'").arg(name)
                                                         : tr("Collapse Block '%1'").arg(name));
    toggle->setObjectName("toggleBlock");
    connect(toggle, &QAction::triggered, this,
            [this, name] { editor_->scene()->toggleBlock(name); });
    QAction* rename = menu->addAction(tr("Rename Block '%1'...").arg(name));
    rename->setObjectName("renameBlock");
    connect(rename, &QAction::triggered, this,
            [this, name] { BlockRenameEditor::open(editor_->scene(), name); });
    QAction* save = menu->addAction(tr("Save Block '%1' to Palette").arg(name));
    save->setObjectName("saveBlockToPalette");
    connect(save, &QAction::triggered, this, [this, name] { saveToPalette(name); });
  }
  ungroup_->setEnabled(block || layers);
  menu->addAction(ungroup_);
  menu->addAction(byPrefix_);
}

}  // namespace tessel::ui
