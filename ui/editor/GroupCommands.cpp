#include "ui/editor/GroupCommands.h"

#include "engine/graph/Blocks.h"

namespace tessel::ui {

GroupsCommand::GroupsCommand(GraphDocument* doc, const QString& text, Change change,
                             QUndoCommand* parent)
    : GraphCommand(doc, text, parent), change_(std::move(change)) {}

QString GroupsCommand::apply() {
  if (!computed_) {
    before_ = doc_->groups();
    ModelSpec copy = doc_->spec();
    if (const QString why = change_(copy); !why.isEmpty()) return why;
    after_ = copy.groups;
    computed_ = true;
  }
  doc_->setGroups(after_);
  return {};
}

void GroupsCommand::revert() {
  doc_->setGroups(before_);
}

GroupsCommand* GroupsCommand::group(GraphDocument* doc, const QString& name,
                                    const std::vector<std::string>& nodes, bool collapsed) {
  return new GroupsCommand(doc, QObject::tr("Group %1").arg(name),
                           [name, nodes, collapsed](ModelSpec& spec) {
                             BlockSpec b{name.toStdString(), nodes, collapsed, ""};
                             if (const std::string why = checkNewBlock(spec, b); !why.empty())
                               return QString::fromStdString(why);
                             addBlock(spec, b);
                             return QString();
                           });
}

GroupsCommand* GroupsCommand::ungroup(GraphDocument* doc, const QString& name) {
  return new GroupsCommand(doc, QObject::tr("Ungroup %1").arg(name), [name](ModelSpec& spec) {
    return removeBlock(spec, name.toStdString()) ? QString()
                                                 : QObject::tr("no block named '%1'").arg(name);
  });
}

GroupsCommand* GroupsCommand::rename(GraphDocument* doc, const QString& from, const QString& to) {
  return new GroupsCommand(
      doc, QObject::tr("Rename block %1 to %2").arg(from, to), [from, to](ModelSpec& spec) {
        return QString::fromStdString(renameBlock(spec, from.toStdString(), to.toStdString()));
      });
}

GroupsCommand* GroupsCommand::setCollapsed(GraphDocument* doc, const QString& name,
                                           bool collapsed) {
  return new GroupsCommand(
      doc,
      (collapsed ? QObject::tr("Collapse block %1") : QObject::tr("Expand block %1")).arg(name),
      [name, collapsed](ModelSpec& spec) {
        for (BlockSpec& b : spec.groups)
          if (b.name == name.toStdString()) {
            b.collapsed = collapsed;
            return QString();
          }
        return QObject::tr("no block named '%1'").arg(name);
      });
}

GroupsCommand* GroupsCommand::groupByPrefix(GraphDocument* doc, int tokens, QStringList* added) {
  return new GroupsCommand(
      doc, QObject::tr("Group by name prefix"), [tokens, added](ModelSpec& spec) {
        const auto names = groupByNamePrefix(spec, tokens);
        if (added) {
          added->clear();
          for (const auto& n : names) *added << QString::fromStdString(n);
        }
        if (names.empty())
          return QObject::tr(
                     "no layers share a name prefix of %1 part(s) that makes a "
                     "block")
              .arg(tokens);
        return QString();
      });
}

GroupsCommand* GroupsCommand::addBlocks(GraphDocument* doc, const std::vector<BlockSpec>& blocks) {
  return new GroupsCommand(doc, QObject::tr("Group"), [blocks](ModelSpec& spec) {
    for (const BlockSpec& b : blocks) {
      BlockSpec copy = b;
      copy.parent.clear();
      // Outermost first; a block that no longer fits (e.g. inputs left unconnected) is kept
      // as saved metadata all the same.
      if (checkNewBlock(spec, copy).empty())
        addBlock(spec, copy);
      else
        restoreBlocks(spec, {b});
    }
    return QString();
  });
}

}  // namespace tessel::ui
