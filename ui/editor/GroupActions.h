#pragma once
// Composite blocks in the editor: "Group" (Ctrl+G) makes the selected layers one collapsed block,
// "Ungroup" (Ctrl+Shift+G) dissolves the selected blocks (or the one holding the selected layer),
// "Group by Name Prefix..." groups keras.applications-style names (conv2_block1_...), "Collapse"
// / "Expand", "Save Block to Palette" (BlockLibrary, the palette's "Blocks"), and dropping a saved
// block inserts its layers as a new block. Each change is one undo step (GroupCommands.h).
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>

#include "ui/editor/NodeId.h"

class QAction;
class QMenu;

namespace tessel::ui {

class GraphEditorWidget;
class GroupItem;

class GroupActions : public QObject {
  Q_OBJECT

 public:
  // Owned by `editor` (one per editor); the first call installs the actions and the palette drop.
  static GroupActions* of(GraphEditorWidget* editor);

  QAction* groupAction() const { return group_; }        // Ctrl+G, object name "groupLayers"
  QAction* ungroupAction() const { return ungroup_; }    // Ctrl+Shift+G, "ungroupBlock"
  QAction* byPrefixAction() const { return byPrefix_; }  // "groupByPrefix"

  // Context menu entries for the canvas (`block`: the block under the mouse, or null).
  void addToMenu(QMenu* menu, GroupItem* block);

  // The operations (empty: done; else the reason, also shown in the editor's status line).
  // groupSelection names the block "block", "block_1", ... unless `name` is given.
  QString groupSelection(const QString& name = {});
  QString ungroupSelection();
  QString groupByPrefix(int tokens, QStringList* added = nullptr);
  QString saveToPalette(const QString& block);
  // Inserts the saved block `name` (BlockLibrary) with its top-left at `scenePos`, expanded;
  // returns its first layer (kInvalidNodeId when refused).
  NodeId insertBlock(const QString& name, QPointF scenePos);
  // Auto layout where each collapsed block is one box (its layers keep their places relative to
  // it, for when it is expanded): one MoveNodes step, or `macro` false to add to an open macro.
  // GraphEditorWidget::autoLayout calls it when the model has blocks.
  QString autoLayout(bool macro = true);
  // The block name groupSelection would give.
  QString freeBlockName(const QString& base) const;

 private:
  explicit GroupActions(GraphEditorWidget* editor);
  QString report(const QString& why);
  GraphEditorWidget* editor_;
  QAction *group_, *ungroup_, *byPrefix_;
};

}  // namespace tessel::ui
