#pragma once
// The node-graph editor as one widget: layer palette | canvas | inspector in a splitter, over a
// GraphDocument and its undo stack. The main window embeds it and adds its actions (undo, redo,
// delete, fit, zoom) to menus and toolbars.
#include <QWidget>

#include "engine/graph/ModelSpec.h"

class QAction;
class QLabel;
class QSplitter;
class QUndoStack;

namespace tessel::ui {

class GraphDocument;
class GraphScene;
class GraphView;
class LayerPalette;
class NodeInspector;

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
  QSplitter* splitter() const { return splitter_; }

  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }
  QAction* deleteAction() const { return delete_; }
  QAction* fitAction() const { return fit_; }
  QAction* zoomInAction() const { return zoomIn_; }
  QAction* zoomOutAction() const { return zoomOut_; }
  QList<QAction*> editorActions() const;

  // Replaces the model (clears the undo history) and fits it in view. Nodes without a position
  // get a layered placement.
  void setModel(const ModelSpec& spec);
  // Adds a layer at the centre of the visible canvas through the undo stack.
  QString addLayerAtCentre(const QString& className);
  QString statusMessage() const;

 signals:
  void message(const QString& text);

 private:
  void showMessage(const QString& text);

  GraphDocument* doc_;
  QUndoStack* stack_;
  GraphScene* scene_;
  GraphView* view_;
  LayerPalette* palette_;
  NodeInspector* inspector_;
  QSplitter* splitter_;
  QLabel* status_;
  QAction *undo_, *redo_, *delete_, *fit_, *zoomIn_, *zoomOut_;
};

}  // namespace tessel::ui
