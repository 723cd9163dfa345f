#pragma once
// The overview: a small view of the whole graph (same scene, drawn at a low level of detail)
// with the main view's visible area as a rectangle. Clicking or dragging in it centres the main
// view there. It floats over the bottom-right corner of the main view.
#include <QGraphicsView>
#include <QPointer>
#include <QTimer>

namespace tessel::ui {

class GraphView;

class GraphMinimap : public QGraphicsView {
  Q_OBJECT

 public:
  explicit GraphMinimap(GraphView* mainView);

  GraphView* mainView() const { return main_; }
  // The main view's visible scene rectangle, as drawn in the overview.
  QRectF visibleSceneRect() const;
  // The overview shows itself only when allowed (the editor's Overview action) and when the
  // graph does not fit in the main view.
  void setAllowed(bool allowed);
  bool allowed() const { return allowed_; }
  // The scene area the overview shows (the graph plus the visible area, with a margin).
  QRectF shownSceneRect() const { return shown_; }

 public slots:
  void refit();          // now
  void scheduleRefit();  // coalesced, on the next event loop turn

 protected:
  void drawForeground(QPainter* painter, const QRectF& rect) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void place();
  void centreMainOn(QPoint viewPos);

  QPointer<GraphView> main_;
  QRectF shown_;
  QTimer refitTimer_;
  bool dragging_ = false;
  bool allowed_ = true;
};

}  // namespace tessel::ui
