#pragma once
// The canvas view: wheel zoom around the cursor, Ctrl+= / Ctrl+- zoom, Ctrl+0 fits the graph
// (never below a legible zoom),
// middle-button or Space+drag pans, rubber-band selection, Delete removes the selection through
// the scene (undo stack). Layers dragged from the palette (mime type
// "application/x-tessel-layer", the class name as data) are added where they are dropped.
#include <QGraphicsView>
#include <optional>

namespace tessel::ui {

class GraphScene;

class GraphView : public QGraphicsView {
  Q_OBJECT

 public:
  static constexpr const char* kLayerMimeType = "application/x-tessel-layer";
  // fitAll() never zooms out further: node titles (10 pt) stay about 8 px high or more. A larger
  // graph is shown from its inputs (top left); scroll or zoom out to see the rest.
  static constexpr double kMinLegibleZoom = 0.6;
  explicit GraphView(GraphScene* scene, QWidget* parent = nullptr);

  GraphScene* graphScene() const { return scene_; }
  double zoom() const { return transform().m11(); }
  void setZoom(double factor);  // absolute, clamped to [0.1, 4]
  void zoomBy(double factor);
  QPointF visibleCentre() const;  // scene position of the viewport centre
  // The scene position under the mouse while it is over the canvas (pastes go there).
  std::optional<QPointF> cursorScenePos() const;

 public slots:
  void zoomIn() { zoomBy(1.25); }
  void zoomOut() { zoomBy(0.8); }
  void fitAll();
  // Centres the view on a node's box (keeps the zoom).
  void centreOnRect(const QRectF& sceneRect);

 signals:
  void viewChanged();  // scrolled or zoomed (the overview follows)

 protected:
  void drawBackground(QPainter* painter, const QRectF& rect) override;
  void changeEvent(QEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  GraphScene* scene_;
  bool panning_ = false;
  bool spaceHeld_ = false;
  QPoint panLast_;
  std::optional<QPoint> mouse_;  // last mouse position in the viewport, while over it
};

}  // namespace tessel::ui
