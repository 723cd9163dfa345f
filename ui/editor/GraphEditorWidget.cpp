#include "ui/editor/GraphEditorWidget.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMenu>
#include <QSplitter>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/core/Error.h"
#include "ui/editor/CustomClassActions.h"
#include "ui/editor/FineTuneActions.h"
#include "ui/editor/GraphClipboard.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"
#include "ui/editor/GraphMinimap.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/GroupActions.h"
#include "ui/editor/LayerPalette.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/editor/NodeInspector.h"
#include "ui/editor/NodeItem.h"
#include "ui/editor/SummaryPanel.h"

namespace tessel::ui {

GraphEditorWidget::GraphEditorWidget(QWidget* parent) : QWidget(parent) {
  doc_ = new GraphDocument(this);
  stack_ = new QUndoStack(this);
  scene_ = new GraphScene(doc_, stack_, this);
  palette_ = new LayerPalette;
  view_ = new GraphView(scene_);
  minimap_ = new GraphMinimap(view_);
  inspector_ = new NodeInspector(doc_, stack_);
  summary_ = new SummaryPanel(doc_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setStyleSheet("color: #c62828; padding: 2px 6px;");
  status_->setVisible(false);
  toolBar_ = new QToolBar;
  toolBar_->setIconSize(QSize(16, 16));
  toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);

  auto* centre = new QWidget;
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->setContentsMargins(0, 0, 0, 0);
  centreLayout->setSpacing(0);
  centreLayout->addWidget(toolBar_);
  centreLayout->addWidget(view_, 1);
  centreLayout->addWidget(status_);

  canvasSplitter_ = new QSplitter(Qt::Vertical);
  canvasSplitter_->addWidget(centre);
  canvasSplitter_->addWidget(summary_);
  canvasSplitter_->setStretchFactor(0, 1);
  canvasSplitter_->setStretchFactor(1, 0);
  canvasSplitter_->setSizes({600, 180});

  splitter_ = new QSplitter(Qt::Horizontal, this);
  splitter_->addWidget(palette_);
  splitter_->addWidget(canvasSplitter_);
  splitter_->addWidget(inspector_);
  splitter_->setStretchFactor(0, 0);
  splitter_->setStretchFactor(1, 1);
  splitter_->setStretchFactor(2, 0);
  splitter_->setCollapsible(1, false);
  // Nothing is selected yet: the inspector is folded away until a node is (setInspectorShown).
  splitter_->setSizes({palette_->sizeHint().width(), 1000, 0});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  undo_ = stack_->createUndoAction(this, tr("&Undo"));
  undo_->setShortcut(QKeySequence::Undo);
  redo_ = stack_->createRedoAction(this, tr("&Redo"));
  redo_->setShortcut(QKeySequence::Redo);
  cut_ = new QAction(tr("Cu&t"), this);
  cut_->setShortcut(QKeySequence::Cut);
  copy_ = new QAction(tr("&Copy"), this);
  copy_->setShortcut(QKeySequence::Copy);
  paste_ = new QAction(tr("&Paste"), this);
  paste_->setShortcut(QKeySequence::Paste);
  duplicate_ = new QAction(tr("D&uplicate"), this);
  duplicate_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
  delete_ = new QAction(tr("&Delete"), this);
  delete_->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
  autoLayout_ = new QAction(tr("Auto &Layout"), this);
  autoLayout_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  autoLayout_->setToolTip(tr("Arrange the graph with Graphviz dot (Ctrl+L)"));
  fit_ = new QAction(tr("&Fit to Window"), this);
  fit_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  zoomIn_ = new QAction(tr("Zoom &In"), this);
  zoomIn_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn});
  zoomOut_ = new QAction(tr("Zoom &Out"), this);
  zoomOut_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut});
  overview_ = new QAction(tr("&Overview"), this);
  overview_->setCheckable(true);
  overview_->setChecked(true);
  summaryToggle_ = new QAction(tr("&Summary"), this);
  summaryToggle_->setCheckable(true);
  summaryToggle_->setChecked(true);
  for (QAction* a : editorActions()) {
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(a);
  }
  // Delete and the clipboard act on the canvas only (text fields keep their own keys).
  for (QAction* a : {delete_, cut_, copy_, paste_, duplicate_}) {
    a->setShortcutContext(Qt::WidgetShortcut);
    removeAction(a);
    view_->addAction(a);
  }
  // The canvas tool bar shows short names (QAction::iconText) so it fits a 1024-pixel window;
  // the menus and tooltips keep the full ones.
  autoLayout_->setIconText(tr("Layout"));
  fit_->setIconText(tr("Fit"));
  fit_->setToolTip(tr("Fit the graph in the window, keeping labels legible (Ctrl+0)"));
  zoomIn_->setIconText(tr("+"));
  zoomIn_->setToolTip(tr("Zoom in (Ctrl+=)"));
  zoomOut_->setIconText(QString(QChar(0x2212)));  // minus sign
  zoomOut_->setToolTip(tr("Zoom out (Ctrl+-)"));
  overview_->setIconText(tr("Map"));
  overview_->setToolTip(tr("Show the overview map"));
  summaryToggle_->setIconText(tr("Summary"));
  summaryToggle_->setToolTip(tr("Show the model summary"));
  for (QAction* a : {autoLayout_, fit_, zoomIn_, zoomOut_, overview_}) toolBar_->addAction(a);
  toolBar_->addAction(summaryToggle_);

  connect(delete_, &QAction::triggered, scene_, &GraphScene::deleteSelection);
  connect(cut_, &QAction::triggered, this, &GraphEditorWidget::cutSelection);
  connect(copy_, &QAction::triggered, this, &GraphEditorWidget::copySelection);
  connect(paste_, &QAction::triggered, this, &GraphEditorWidget::paste);
  connect(duplicate_, &QAction::triggered, this, &GraphEditorWidget::duplicateSelection);
  connect(autoLayout_, &QAction::triggered, this, &GraphEditorWidget::autoLayout);
  connect(fit_, &QAction::triggered, view_, &GraphView::fitAll);
  connect(zoomIn_, &QAction::triggered, view_, &GraphView::zoomIn);
  connect(zoomOut_, &QAction::triggered, view_, &GraphView::zoomOut);
  connect(overview_, &QAction::toggled, minimap_, &GraphMinimap::setAllowed);
  connect(summaryToggle_, &QAction::toggled, summary_, &QWidget::setVisible);
  connect(view_, &GraphView::viewChanged, minimap_, &GraphMinimap::scheduleRefit);
  connect(scene_, &QGraphicsScene::selectionChanged, this, &GraphEditorWidget::updateActions);
  updateActions();

  connect(palette_, &LayerPalette::layerActivated, this, &GraphEditorWidget::addLayerAtCentre);
  connect(inspector_, &NodeInspector::outputShapePreview, scene_, &GraphScene::previewOutputShape);
  connect(palette_, &LayerPalette::customClassMenuRequested, this,
          [this](const QString& cls, QPoint pos) { showCustomClassMenu(this, cls, pos); });
  connect(scene_, &GraphScene::message, this, &GraphEditorWidget::showMessage);
  connect(scene_, &GraphScene::contextMenuRequested, this, &GraphEditorWidget::showContextMenu);
  connect(stack_, &QUndoStack::indexChanged, this, [this] { showMessage({}); });
  connect(scene_, &QGraphicsScene::selectionChanged, this, [this] {
    const QList<NodeId> nodes = scene_->selectedNodeIds();
    const NodeId one = nodes.size() == 1 ? nodes.first() : kInvalidNodeId;
    setInspectorShown(one != kInvalidNodeId);
    inspector_->setNode(one);
    summary_->selectNode(one);
    emit nodeSelected(doc_->nameOf(one));
  });
  connect(summary_, &SummaryPanel::nodeActivated, this,
          [this](NodeId id) { selectNode(id, true); });
  GroupActions::of(this);  // Group (Ctrl+G), Ungroup (Ctrl+Shift+G), saved blocks
}

GraphEditorWidget::~GraphEditorWidget() {
  // The scene clears its items when destroyed (selection changes): nobody must listen by then.
  disconnect(scene_, nullptr, nullptr, nullptr);
  delete minimap_;
  delete scene_;
}

bool GraphEditorWidget::inspectorShown() const {
  return splitter_->sizes().value(2) > 0;
}

void GraphEditorWidget::setInspectorShown(bool shown) {
  QList<int> sizes = splitter_->sizes();
  if (sizes.size() != 3 || shown == (sizes[2] > 0)) return;
  if (shown) {
    const int width = std::min(inspectorWidth_, std::max(0, sizes[1] - 240));
    sizes[1] -= width;
    sizes[2] = width;
  } else {
    inspectorWidth_ = std::max(200, sizes[2]);
    sizes[1] += sizes[2];
    sizes[2] = 0;
  }
  splitter_->setSizes(sizes);
}

QList<QAction*> GraphEditorWidget::editorActions() const {
  return {undo_,       redo_, cut_,    copy_,    paste_,    duplicate_,    delete_,
          autoLayout_, fit_,  zoomIn_, zoomOut_, overview_, summaryToggle_};
}

void GraphEditorWidget::updateActions() {
  const bool any = !scene_->selectedItems().isEmpty();
  const bool nodes = !scene_->selectedNodeIds().isEmpty();
  delete_->setEnabled(any);
  cut_->setEnabled(nodes);
  copy_->setEnabled(nodes);
  duplicate_->setEnabled(nodes);
}

void GraphEditorWidget::setModel(const ModelSpec& spec) {
  stack_->clear();
  doc_->setModel(spec);
  view_->fitAll();
}

void GraphEditorWidget::newFromTemplate(const QString& templateName) {
  ModelSpec spec = ModelTemplates::spec(templateName);  // throws before anything changes
  stack_->clear();
  ModelTemplates::load(doc_, templateName);
  view_->fitAll();
}

QString GraphEditorWidget::addLayerAtCentre(const QString& className) {
  scene_->clearSelection();  // first: the canvas takes its room back before its centre is read
  const NodeId id = scene_->addNodeAt(className, view_->visibleCentre());
  if (id != kInvalidNodeId) view_->setFocus();
  return doc_->nameOf(id);
}

QString GraphEditorWidget::statusMessage() const {
  return status_->isVisibleTo(this) ? status_->text() : QString();
}

void GraphEditorWidget::selectNode(const QString& name, bool centre) {
  selectNode(name.isEmpty() ? kInvalidNodeId : doc_->idOf(name), centre);
}

void GraphEditorWidget::selectNode(NodeId id, bool centre) {
  scene_->selectNodes(id == kInvalidNodeId ? QList<NodeId>() : QList<NodeId>{id});
  if (NodeItem* item = scene_->nodeItem(id); item && centre)
    view_->centreOnRect(item->sceneBoundingRect());
}

void GraphEditorWidget::autoLayout() {
  if (doc_->nodeIds().empty()) return;
  if (!doc_->groups().empty()) {  // collapsed blocks laid out as single boxes
    GroupActions::of(this)->autoLayout();
    return;
  }
  // Graphviz works on the Keras topology, keyed by layer name; moves go back by id.
  std::map<std::string, QSizeF> sizes;
  QRectF before;
  for (NodeId id : doc_->nodeIds()) {
    NodeItem* item = scene_->nodeItem(id);
    const double h = item ? item->height() : 70;
    sizes[doc_->node(id)->name] = QSizeF(NodeItem::kWidth, h);
    before = before.united(QRectF(doc_->position(id), QSizeF(NodeItem::kWidth, h)));
  }
  std::map<std::string, QPointF> layout;
  try {
    layout = GraphLayout::dot(doc_->spec(), sizes);
  } catch (const Error& e) {
    showMessage(QString::fromUtf8(e.what()));
    return;
  }
  // Keep the graph where it was: the new layout's top-left at the old one's.
  QRectF after;
  for (const auto& [name, p] : layout) after = after.united(QRectF(p, sizes[name]));
  const QPointF shift = before.topLeft() - after.topLeft();
  MoveNodesCommand::Moves moves;
  for (const auto& [name, p] : layout) {
    const NodeId id = doc_->idOf(QString::fromStdString(name));
    const QPointF to = p + shift;
    if (id != kInvalidNodeId && doc_->position(id) != to) moves[id] = {doc_->position(id), to};
  }
  if (!moves.empty()) {
    // A macro, so a later drag of all nodes never merges into this step.
    stack_->beginMacro(tr("Auto layout"));
    stack_->push(new MoveNodesCommand(doc_, moves));
    stack_->endMacro();
  }
  view_->fitAll();
}

void GraphEditorWidget::copySelection() {
  const QList<NodeId> nodes = scene_->selectedNodeIds();
  if (nodes.isEmpty()) return;
  QApplication::clipboard()->setText(
      GraphClipboard::toText(*doc_, std::vector<NodeId>(nodes.begin(), nodes.end())));
}

void GraphEditorWidget::cutSelection() {
  if (scene_->selectedNodeIds().isEmpty()) return;
  copySelection();
  stack_->beginMacro(tr("Cut"));
  scene_->deleteSelection();
  stack_->endMacro();
}

QStringList GraphEditorWidget::paste() {
  return pasteFragmentText(QApplication::clipboard()->text(), tr("Paste"), view_->cursorScenePos());
}

QStringList GraphEditorWidget::pasteAt(QPointF scenePos) {
  return pasteFragmentText(QApplication::clipboard()->text(), tr("Paste"), scenePos);
}

QStringList GraphEditorWidget::pasteText(const QString& text) {
  return pasteFragmentText(text, tr("Paste"));
}

QStringList GraphEditorWidget::duplicateSelection() {
  const QList<NodeId> nodes = scene_->selectedNodeIds();
  if (nodes.isEmpty()) return {};
  return pasteFragmentText(
      GraphClipboard::toText(*doc_, std::vector<NodeId>(nodes.begin(), nodes.end())),
      tr("Duplicate"));
}

QPointF GraphEditorWidget::pasteOffset(const GraphFragment& fragment,
                                       std::optional<QPointF> at) const {
  // Boxes of a nominal node height; a margin keeps pasted nodes clear of the others.
  const QSizeF node(NodeItem::kWidth, 70);
  QRectF box;
  for (const auto& [name, p] : fragment.positions) box = box.united(QRectF(p, node));
  auto occupied = [&](QPointF shift) {
    for (const auto& [name, p] : fragment.positions) {
      const QRectF mine = QRectF(p + shift, node).adjusted(-12, -12, 12, 12);
      for (NodeId id : doc_->nodeIds()) {
        NodeItem* item = scene_->nodeItem(id);
        const QSizeF size(NodeItem::kWidth, item ? item->height() : node.height());
        if (mine.intersects(QRectF(doc_->position(id), size))) return true;
      }
    }
    return false;
  };
  QPointF offset, step;
  if (at) {
    // At the cursor (the fragment's top-left node there), moved down while it would cover a node.
    offset = *at - box.topLeft();
    step = QPointF(0, 40);
  } else if (fragment.hadLayout) {
    // Next to the originals: below them, further down while that is taken.
    offset = QPointF(0, box.height() + 40);
    step = QPointF(0, box.height() + 40);
  } else {
    // From elsewhere (a text editor): centred in the visible canvas.
    offset = view_->visibleCentre() - box.center();
    step = QPointF(0, 40);
  }
  for (int i = 0; i < 200 && occupied(offset); ++i) offset += step;
  return offset;
}

QStringList GraphEditorWidget::pasteFragmentText(const QString& text, const QString& undoText,
                                                 std::optional<QPointF> at) {
  GraphFragment fragment;
  try {
    fragment = GraphClipboard::parse(text);
  } catch (const Error& e) {
    showMessage(QString::fromUtf8(e.what()));
    return {};
  }
  if (fragment.nodes.empty()) return {};
  GraphClipboard::makeNamesUnique(fragment, doc_->spec());
  const QPointF offset = pasteOffset(fragment, at);
  auto* cmd = new PasteCommand(doc_, fragment, offset, undoText);
  const std::vector<NodeId> ids = cmd->nodeIds();
  if (const QString why = GraphCommand::push(stack_, cmd); !why.isEmpty()) {
    showMessage(why);
    return {};
  }
  QStringList names;
  for (NodeId id : ids) names << doc_->nameOf(id);
  scene_->selectNodes(QList<NodeId>(ids.begin(), ids.end()));
  view_->setFocus();
  return names;
}

void GraphEditorWidget::showContextMenu(NodeId node, QPoint screenPos) {
  if (!contextMenu_) {
    contextMenu_ = new QMenu(this);
    contextMenu_->setObjectName("canvasContextMenu");
  }
  contextMenu_->clear();
  if (node != kInvalidNodeId) {
    for (const GraphFix& fix : scene_->fixesFor(node)) {
      QAction* a = contextMenu_->addAction(tr("Fix: %1").arg(fix.label));
      a->setToolTip(fix.why);
      connect(a, &QAction::triggered, this, [this, fix] { scene_->applyFix(fix); });
    }
    if (const NodeSpec* n = doc_->node(node); n && n->className == "CustomLayer") {
      const QString name = doc_->nameOf(node);
      QAction* a = contextMenu_->addAction(tr("Save as Custom Class..."));
      a->setObjectName("defineCustomClass");
      connect(a, &QAction::triggered, this, [this, name] { askToDefineCustomClass(this, name); });
    }
    if (!contextMenu_->isEmpty()) contextMenu_->addSeparator();
  }
  FineTuneActions::of(this)->addToMenu(contextMenu_, node);  // freeze, replace head
  contextMenu_->addSeparator();
  const QPointF at = view_->mapToScene(view_->viewport()->mapFromGlobal(screenPos));
  GroupActions::of(this)->addToMenu(contextMenu_, scene_->groupAt(at));  // blocks
  contextMenu_->addSeparator();
  for (QAction* a : {cut_, copy_}) contextMenu_->addAction(a);
  // Paste where the menu was opened.
  QAction* pasteHere = contextMenu_->addAction(paste_->text());
  pasteHere->setObjectName("pasteHere");
  pasteHere->setEnabled(!QApplication::clipboard()->text().isEmpty());
  connect(pasteHere, &QAction::triggered, this, [this, at] { pasteAt(at); });
  for (QAction* a : {duplicate_, delete_}) contextMenu_->addAction(a);
  contextMenu_->addSeparator();
  contextMenu_->addAction(autoLayout_);
  contextMenu_->popup(screenPos);
}

void GraphEditorWidget::showMessage(const QString& text) {
  status_->setText(text);
  status_->setVisible(!text.isEmpty());
  if (!text.isEmpty()) emit message(text);
}

}  // namespace tessel::ui
