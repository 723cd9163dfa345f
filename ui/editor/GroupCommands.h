#pragma once
// Undo commands for composite blocks: grouping, ungrouping and "Group by name prefix" each change
// only the document's block list (engine/graph/Blocks.h decides what is allowed), so a command
// keeps the list before and after and is one undo step. Inserting a saved block from the palette
// is a PasteCommand plus a group in one macro (GroupActions::insertBlock).
#include <QString>
#include <functional>
#include <vector>

#include "ui/editor/GraphCommands.h"

namespace tessel::ui {

class GroupsCommand : public GraphCommand {
 public:
  // Changes spec.groups of a copy of the document's spec on the first run; returns a refusal.
  using Change = std::function<QString(ModelSpec&)>;
  GroupsCommand(GraphDocument* doc, const QString& text, Change change,
                QUndoCommand* parent = nullptr);

  // "Group": a new collapsed block of `nodes` named `name`.
  static GroupsCommand* group(GraphDocument* doc, const QString& name,
                              const std::vector<std::string>& nodes, bool collapsed = true);
  static GroupsCommand* ungroup(GraphDocument* doc, const QString& name);
  // Blocks by layer-name prefix (`tokens` '_'-separated parts); `added` gets their names.
  static GroupsCommand* groupByPrefix(GraphDocument* doc, int tokens, QStringList* added);
  // Renames a block ("Rename block a to b").
  static GroupsCommand* rename(GraphDocument* doc, const QString& from, const QString& to);
  // Collapses or expands a block ("Collapse block a" / "Expand block a").
  static GroupsCommand* setCollapsed(GraphDocument* doc, const QString& name, bool collapsed);
  // Adds ready-made blocks (a dropped palette block), checked one by one.
  static GroupsCommand* addBlocks(GraphDocument* doc, const std::vector<BlockSpec>& blocks);

 protected:
  QString apply() override;
  void revert() override;
  bool changesIo() const override { return false; }

 private:
  Change change_;
  bool computed_ = false;
  std::vector<BlockSpec> before_, after_;
};

}  // namespace tessel::ui
