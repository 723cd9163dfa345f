#include "ui/editor/GraphEditorWidget.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QUndoStack>
#include <QVBoxLayout>

#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/LayerPalette.h"
#include "ui/editor/NodeInspector.h"

namespace tessel::ui {

GraphEditorWidget::GraphEditorWidget(QWidget* parent) : QWidget(parent) {
  doc_ = new GraphDocument(this);
  stack_ = new QUndoStack(this);
  scene_ = new GraphScene(doc_, stack_, this);
  palette_ = new LayerPalette;
  view_ = new GraphView(scene_);
  inspector_ = new NodeInspector(doc_, stack_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setStyleSheet("color: #c62828; padding: 2px 6px;");
  status_->setVisible(false);

  auto* centre = new QWidget;
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->setContentsMargins(0, 0, 0, 0);
  centreLayout->setSpacing(0);
  centreLayout->addWidget(view_, 1);
  centreLayout->addWidget(status_);

  splitter_ = new QSplitter(Qt::Horizontal, this);
  splitter_->addWidget(palette_);
  splitter_->addWidget(centre);
  splitter_->addWidget(inspector_);
  splitter_->setStretchFactor(0, 0);
  splitter_->setStretchFactor(1, 1);
  splitter_->setStretchFactor(2, 0);
  splitter_->setSizes({200, 800, 280});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  undo_ = stack_->createUndoAction(this, tr("&Undo"));
  undo_->setShortcut(QKeySequence::Undo);
  redo_ = stack_->createRedoAction(this, tr("&Redo"));
  redo_->setShortcut(QKeySequence::Redo);
  delete_ = new QAction(tr("&Delete"), this);
  delete_->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
  fit_ = new QAction(tr("&Fit to Window"), this);
  fit_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  zoomIn_ = new QAction(tr("Zoom &In"), this);
  zoomIn_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn});
  zoomOut_ = new QAction(tr("Zoom &Out"), this);
  zoomOut_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut});
  for (QAction* a : editorActions()) {
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(a);
  }
  // Delete acts on the canvas only (text fields keep their own Delete key).
  delete_->setShortcutContext(Qt::WidgetShortcut);
  removeAction(delete_);
  view_->addAction(delete_);
  connect(delete_, &QAction::triggered, scene_, &GraphScene::deleteSelection);
  connect(fit_, &QAction::triggered, view_, &GraphView::fitAll);
  connect(zoomIn_, &QAction::triggered, view_, &GraphView::zoomIn);
  connect(zoomOut_, &QAction::triggered, view_, &GraphView::zoomOut);
  auto updateDelete = [this] { delete_->setEnabled(!scene_->selectedItems().isEmpty()); };
  connect(scene_, &QGraphicsScene::selectionChanged, this, updateDelete);
  updateDelete();

  connect(palette_, &LayerPalette::layerActivated, this, &GraphEditorWidget::addLayerAtCentre);
  connect(scene_, &GraphScene::message, this, &GraphEditorWidget::showMessage);
  connect(stack_, &QUndoStack::indexChanged, this, [this] { showMessage({}); });
  connect(scene_, &QGraphicsScene::selectionChanged, this, [this] {
    const QStringList nodes = scene_->selectedNodeNames();
    inspector_->setNode(nodes.size() == 1 ? nodes.first() : QString());
  });
}

GraphEditorWidget::~GraphEditorWidget() {
  // The scene clears its items when destroyed (selection changes): nobody must listen by then.
  disconnect(scene_, nullptr, nullptr, nullptr);
  delete scene_;
}

QList<QAction*> GraphEditorWidget::editorActions() const {
  return {undo_, redo_, delete_, fit_, zoomIn_, zoomOut_};
}

void GraphEditorWidget::setModel(const ModelSpec& spec) {
  stack_->clear();
  doc_->setModel(spec);
  view_->fitAll();
}

QString GraphEditorWidget::addLayerAtCentre(const QString& className) {
  const QString name = scene_->addNodeAt(className, view_->visibleCentre());
  if (!name.isEmpty()) {
    scene_->clearSelection();
    view_->setFocus();
  }
  return name;
}

QString GraphEditorWidget::statusMessage() const {
  return status_->isVisibleTo(this) ? status_->text() : QString();
}

void GraphEditorWidget::showMessage(const QString& text) {
  status_->setText(text);
  status_->setVisible(!text.isEmpty());
  if (!text.isEmpty()) emit message(text);
}

}  // namespace tessel::ui
