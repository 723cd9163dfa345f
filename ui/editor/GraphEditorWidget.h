#pragma once
// The node-graph editor as one widget: layer palette | canvas | inspector in a splitter, over a
// GraphDocument and its undo stack. Above the canvas a small tool bar (auto layout, fit, zoom,
// overview); over its bottom-right corner the overview (GraphMinimap); below it the summary
// panel (Keras model.summary(), live). The main window embeds it and adds its actions (undo,
// redo, cut, copy, paste, duplicate, delete, auto layout, fit, zoom) to menus and tool bars.
#include <QPointF>
#include <QWidget>
#include <optional>

#include "engine/graph/ModelSpec.h"
#include "ui/editor/NodeId.h"

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QToolBar;
class QUndoStack;

namespace tessel::ui {

class GraphDocument;
struct GraphFragment;
class GraphMinimap;
class GraphScene;
class GraphView;
class LayerPalette;
class NodeInspector;
class SummaryPanel;

class GraphEditorWidget : public QWidget {
  Q_OBJECT

 public:
  explicit GraphEditorWidget(QWidget* parent = nullptr);
  ~GraphEditorWidget() override;

  GraphDocument* document() const { return doc_; }
  QUndoStack* undoStack() const { return stack_; }
  GraphScene* scene() const { return scene_; }
  GraphView* view() const { return view_; }
  LayerPalette* palette() const { return palette_; }
  NodeInspector* inspector() const { return inspector_; }
  SummaryPanel* summaryPanel() const { return summary_; }
  GraphMinimap* minimap() const { return minimap_; }
  QToolBar* toolBar() const { return toolBar_; }
  QSplitter* splitter() const { return splitter_; }  // palette | canvas | inspector
  // The inspector takes room only while one node is selected; its width is remembered.
  bool inspectorShown() const;
  QSplitter* canvasSplitter() const { return canvasSplitter_; }  // canvas / summary

  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }
  QAction* cutAction() const { return cut_; }
  QAction* copyAction() const { return copy_; }
  QAction* pasteAction() const { return paste_; }
  QAction* duplicateAction() const { return duplicate_; }
  QAction* deleteAction() const { return delete_; }
  QAction* autoLayoutAction() const { return autoLayout_; }
  QAction* fitAction() const { return fit_; }
  QAction* zoomInAction() const { return zoomIn_; }
  QAction* zoomOutAction() const { return zoomOut_; }
  QAction* overviewAction() const { return overview_; }      // checkable: show the overview
  QAction* summaryAction() const { return summaryToggle_; }  // checkable: show the summary
  QList<QAction*> editorActions() const;

  // Replaces the model (clears the undo history) and fits it in view. Nodes without a position
  // get a layered placement.
  void setModel(const ModelSpec& spec);
  // "New model from template" (see ModelTemplates::names()): replaces the model, laid out by
  // Graphviz, clears the undo history. Throws tessel::Error for an unknown name.
  void newFromTemplate(const QString& templateName);
  // Adds a layer at the centre of the visible canvas through the undo stack.
  QString addLayerAtCentre(const QString& className);
  QString statusMessage() const;
  // Shows a one-line message in the canvas's status line (empty hides it).
  void showStatus(const QString& text) { showMessage(text); }

  // Selects exactly this node (the summary row follows) and, if `centre`, scrolls it into the
  // middle of the view. kInvalidNodeId / an empty name clears the selection.
  void selectNode(NodeId id, bool centre = true);
  void selectNode(const QString& name, bool centre = true);

 public slots:
  // Graphviz dot layout of the whole graph: one undo step "Auto layout" (Ctrl+L).
  void autoLayout();
  // Clipboard: Keras JSON of the selected nodes and the edges among them (GraphClipboard).
  void copySelection();
  void cutSelection();  // one undo step "Cut"
  // Pastes the clipboard's text at the mouse when it is over the canvas, else next to the
  // originals (below them) or in the middle of the view, never on top of another node; returns
  // the new node names (selected), empty on failure.
  QStringList paste();
  QStringList pasteAt(QPointF scenePos);  // the fragment's top-left node at scenePos
  QStringList pasteText(const QString& text);
  QStringList duplicateSelection();  // Ctrl+D, one undo step "Duplicate", below the originals

 signals:
  void message(const QString& text);
  // The selection became exactly one node (empty: none or several).
  void nodeSelected(const QString& name);

 private:
  void showMessage(const QString& text);
  void showContextMenu(NodeId node, QPoint screenPos);
  QStringList pasteFragmentText(const QString& text, const QString& undoText,
                                std::optional<QPointF> at = std::nullopt);
  QPointF pasteOffset(const GraphFragment& fragment, std::optional<QPointF> at) const;
  void updateActions();

  GraphDocument* doc_;
  QUndoStack* stack_;
  GraphScene* scene_;
  GraphView* view_;
  GraphMinimap* minimap_;
  LayerPalette* palette_;
  NodeInspector* inspector_;
  SummaryPanel* summary_;
  QToolBar* toolBar_;
  QSplitter* splitter_;
  int inspectorWidth_ = 280;
  void setInspectorShown(bool shown);
  QSplitter* canvasSplitter_;
  QLabel* status_;
  QMenu* contextMenu_ = nullptr;
  QAction *undo_, *redo_, *cut_, *copy_, *paste_, *duplicate_, *delete_, *autoLayout_, *fit_,
      *zoomIn_, *zoomOut_, *overview_, *summaryToggle_;
};

}  // namespace tessel::ui
