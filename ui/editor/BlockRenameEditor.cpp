#include "ui/editor/BlockRenameEditor.h"

#include <QGraphicsView>
#include <QKeyEvent>
#include <QTimer>

#include "ui/editor/GraphScene.h"
#include "ui/editor/GroupCommands.h"
#include "ui/editor/GroupItem.h"

namespace tessel::ui {

BlockRenameEditor::BlockRenameEditor(GraphScene* scene, const QString& block, QWidget* parent)
    : QLineEdit(block, parent), scene_(scene), block_(block) {
  setObjectName("blockRenameEditor");
  setToolTip(tr("New name of block '%1' (Return: rename, Escape: cancel)").arg(block));
  selectAll();
}

BlockRenameEditor* BlockRenameEditor::open(GraphScene* scene, const QString& block) {
  GroupItem* item = scene ? scene->groupItem(block) : nullptr;
  if (!item || scene->views().isEmpty()) return nullptr;
  QGraphicsView* view = scene->views().first();
  QWidget* viewport = view->viewport();
  for (auto* old :
       viewport->findChildren<BlockRenameEditor*>(QString(), Qt::FindDirectChildrenOnly))
    if (!old->done_) old->finish();
  auto* editor = new BlockRenameEditor(scene, block, viewport);
  // Over the header, from the title to the right edge (at least wide enough to type in).
  const QRectF title = item->mapRectToScene(item->titleRect());
  const QRect header = view->mapFromScene(item->mapRectToScene(item->headerRect())).boundingRect();
  QRect r = view->mapFromScene(title).boundingRect();
  r.setRight(std::max(header.right() - 4, r.left() + 140));
  r.setTop(header.top() + 1);
  r.setBottom(header.bottom() - 1);
  editor->setGeometry(r);
  editor->show();
  editor->setFocus(Qt::OtherFocusReason);
  return editor;
}

QString BlockRenameEditor::commit() {
  if (done_ || !scene_) return {};
  const QString name = text().trimmed();
  QString why;
  if (!scene_->undoStack())
    why = tr("no undo stack");
  else if (name != block_)
    why = GraphCommand::push(scene_->undoStack(),
                             GroupsCommand::rename(scene_->document(), block_, name));
  if (!why.isEmpty()) {
    setToolTip(why);
    emit scene_->message(tr("cannot rename block '%1': %2").arg(block_, why));
    return why;
  }
  finish();
  return {};
}

void BlockRenameEditor::finish() {
  done_ = true;
  hide();
  setObjectName(QString());  // the open editor is the one with the name
  deleteLater();
}

void BlockRenameEditor::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
    commit();
    return;
  }
  if (event->key() == Qt::Key_Escape) {
    finish();
    return;
  }
  QLineEdit::keyPressEvent(event);
}

void BlockRenameEditor::focusOutEvent(QFocusEvent* event) {
  QLineEdit::focusOutEvent(event);
  if (!done_ && commit().isEmpty()) return;
  // A refused name on leaving the field: cancel (the reason is in the status line).
  if (!done_) {
    finish();
  }
}

}  // namespace tessel::ui
