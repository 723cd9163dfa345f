#pragma once
// In-place renaming of a composite block: a line edit (object name "blockRenameEditor") laid over
// the block's title in the view, opened by a double-click on the title (GroupItem) or the canvas
// menu's "Rename Block..." (GroupActions). Return (or leaving the field) renames the block as one
// undo step (GroupsCommand::rename); a refused name keeps the editor open with the reason in
// the editor's status line and as the field's tooltip; Escape cancels.
#include <QLineEdit>
#include <QPointer>
#include <QString>

namespace tessel::ui {

class GraphScene;

class BlockRenameEditor : public QLineEdit {
  Q_OBJECT

 public:
  // Opens the editor over block `block` of `scene` in its first view (replacing an open one);
  // null when the block is not on the canvas or the scene has no view.
  static BlockRenameEditor* open(GraphScene* scene, const QString& block);
  const QString& block() const { return block_; }
  // Applies the typed name: empty when renamed (or unchanged), else the refusal.
  QString commit();

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;

 private:
  BlockRenameEditor(GraphScene* scene, const QString& block, QWidget* parent);
  void finish();  // closes it (deleted later)
  QPointer<GraphScene> scene_;
  QString block_;
  bool done_ = false;
};

}  // namespace tessel::ui
