#include "ui/editor/GraphView.h"

#include <QDragEnterEvent>
#include <QGraphicsItem>
#include <QMimeData>
#include <QScrollBar>
#include <cmath>

#include "ui/editor/GraphScene.h"

namespace tessel::ui {

GraphView::GraphView(GraphScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent), scene_(scene) {
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(RubberBandDrag);
  setRubberBandSelectionMode(Qt::IntersectsItemShape);
  setTransformationAnchor(AnchorUnderMouse);
  // The canvas grows and shrinks on its right when the inspector comes and goes: what the user
  // points at stays where it is.
  setResizeAnchor(NoAnchor);
  setViewportUpdateMode(BoundingRectViewportUpdate);
  setAcceptDrops(true);
  setFocusPolicy(Qt::StrongFocus);
  // A large fixed scene rect so the canvas can be panned freely; scroll bars stay hidden.
  setSceneRect(-50000, -50000, 100000, 100000);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  centerOn(0, 0);
  viewport()->setMouseTracking(true);  // cursorScenePos() follows the mouse
}

std::optional<QPointF> GraphView::cursorScenePos() const {
  if (!mouse_ || !viewport()->rect().contains(*mouse_)) return std::nullopt;
  return mapToScene(*mouse_);
}

bool GraphView::viewportEvent(QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseMove:
    case QEvent::MouseButtonPress:
      mouse_ = static_cast<QMouseEvent*>(event)->position().toPoint();
      break;
    case QEvent::Leave:
      mouse_.reset();
      break;
    default:
      break;
  }
  return QGraphicsView::viewportEvent(event);
}

void GraphView::setZoom(double factor) {
  factor = std::clamp(factor, 0.1, 4.0);
  const double current = zoom();
  if (current > 0) scale(factor / current, factor / current);
  emit viewChanged();
}

void GraphView::centreOnRect(const QRectF& sceneRect) {
  centerOn(sceneRect.center());
  emit viewChanged();
}

void GraphView::changeEvent(QEvent* event) {
  // Items cache their pixmaps: a new palette (light <-> dark) must redraw them.
  if (event->type() == QEvent::PaletteChange)
    for (QGraphicsItem* item : scene_->items()) item->update();
  QGraphicsView::changeEvent(event);
}

void GraphView::scrollContentsBy(int dx, int dy) {
  QGraphicsView::scrollContentsBy(dx, dy);
  emit viewChanged();
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect) {
  // The canvas: a shade off the window colour, with a faint dot grid every 40 units.
  const QPalette pal = palette();
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  const QColor bg = dark ? pal.color(QPalette::Window).darker(115) : QColor(0xee, 0xf1, 0xf4);
  painter->fillRect(rect, bg);
  if (zoom() < 0.5) return;
  constexpr double kGrid = 40;
  QColor dot = dark ? bg.lighter(150) : bg.darker(112);
  painter->setPen(QPen(dot, 2 / zoom()));
  const double x0 = std::floor(rect.left() / kGrid) * kGrid;
  const double y0 = std::floor(rect.top() / kGrid) * kGrid;
  QVector<QPointF> points;
  for (double x = x0; x < rect.right(); x += kGrid)
    for (double y = y0; y < rect.bottom(); y += kGrid) points << QPointF(x, y);
  painter->drawPoints(points.data(), static_cast<int>(points.size()));
}

void GraphView::zoomBy(double factor) {
  setZoom(zoom() * factor);
}

QPointF GraphView::visibleCentre() const {
  return mapToScene(viewport()->rect().center());
}

void GraphView::fitAll() {
  QRectF bounds = scene_->itemsBoundingRect();
  if (bounds.isEmpty()) {
    setZoom(1);
    centerOn(0, 0);
    return;
  }
  bounds.adjust(-30, -30, 30, 30);
  fitInView(bounds, Qt::KeepAspectRatio);
  if (zoom() > 1.5) setZoom(1.5);  // a lone node should not fill the screen
  if (zoom() >= kMinLegibleZoom) {
    centerOn(bounds.center());
    emit viewChanged();
    return;
  }
  // Too large to fit legibly: the legible zoom, showing the graph from its top-left corner
  // (centred on an axis that fits).
  setZoom(kMinLegibleZoom);
  const QSizeF visible = QSizeF(viewport()->size()) / kMinLegibleZoom;
  QPointF centre = bounds.center();
  if (bounds.width() > visible.width()) centre.setX(bounds.left() + visible.width() / 2);
  if (bounds.height() > visible.height()) centre.setY(bounds.top() + visible.height() / 2);
  centerOn(centre);
  emit viewChanged();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return QGraphicsView::wheelEvent(event);
  zoomBy(std::pow(1.15, steps));
  event->accept();
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  const bool ctrl = event->modifiers() & Qt::ControlModifier;
  if (ctrl && (event->key() == Qt::Key_Equal || event->key() == Qt::Key_Plus)) return zoomIn();
  if (ctrl && event->key() == Qt::Key_Minus) return zoomOut();
  if (ctrl && event->key() == Qt::Key_0) return fitAll();
  if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
    scene_->deleteSelection();
    return;
  }
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    spaceHeld_ = true;
    setDragMode(ScrollHandDrag);
    return;
  }
  QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    spaceHeld_ = false;
    setDragMode(RubberBandDrag);
    return;
  }
  QGraphicsView::keyReleaseEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::MiddleButton) {
    panning_ = true;
    panLast_ = event->position().toPoint();
    viewport()->setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event) {
  if (panning_) {
    const QPoint p = event->position().toPoint();
    const QPoint d = p - panLast_;
    panLast_ = p;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
    event->accept();
    return;
  }
  QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
  if (panning_ && event->button() == Qt::MiddleButton) {
    panning_ = false;
    viewport()->unsetCursor();
    event->accept();
    return;
  }
  QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) {
    event->setDropAction(Qt::CopyAction);
    event->accept();
    return;
  }
  QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) {
    event->setDropAction(Qt::CopyAction);
    event->accept();
    return;
  }
  QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) {
    const QString cls = QString::fromUtf8(event->mimeData()->data(kLayerMimeType));
    scene_->addNodeAt(cls, mapToScene(event->position().toPoint()));
    event->setDropAction(Qt::CopyAction);
    event->accept();
    setFocus();
    return;
  }
  QGraphicsView::dropEvent(event);
}

}  // namespace tessel::ui
