#include "ui/editor/GraphMinimap.h"

#include <QEvent>
#include <QMouseEvent>
#include <QScrollBar>

#include "ui/editor/GraphView.h"

namespace tessel::ui {

namespace {
constexpr int kWidth = 176, kHeight = 120, kMargin = 10;
}

GraphMinimap::GraphMinimap(GraphView* mainView)
    : QGraphicsView(mainView->scene(), mainView), main_(mainView) {
  setObjectName("graphMinimap");
  setInteractive(false);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setRenderHints(QPainter::Antialiasing);
  setSceneRect(-50000, -50000, 100000, 100000);
  setFixedSize(kWidth, kHeight);
  setFrameShape(QFrame::Box);
  setFocusPolicy(Qt::NoFocus);
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Overview: click or drag to move the view"));
  // Cached background makes no sense for a view that is refitted constantly.
  setViewportUpdateMode(FullViewportUpdate);
  refitTimer_.setSingleShot(true);
  refitTimer_.setInterval(0);
  connect(&refitTimer_, &QTimer::timeout, this, &GraphMinimap::refit);
  connect(scene(), &QGraphicsScene::changed, this, &GraphMinimap::scheduleRefit);
  connect(main_->horizontalScrollBar(), &QScrollBar::valueChanged, this,
          &GraphMinimap::scheduleRefit);
  connect(main_->verticalScrollBar(), &QScrollBar::valueChanged, this,
          &GraphMinimap::scheduleRefit);
  main_->installEventFilter(this);
  main_->viewport()->installEventFilter(this);
  place();
  refit();
}

QRectF GraphMinimap::visibleSceneRect() const {
  if (!main_) return {};
  return main_->mapToScene(main_->viewport()->rect()).boundingRect();
}

void GraphMinimap::scheduleRefit() {
  if (!refitTimer_.isActive()) refitTimer_.start();
}

void GraphMinimap::setAllowed(bool allowed) {
  allowed_ = allowed;
  refit();
}

void GraphMinimap::refit() {
  if (!main_) return;
  QRectF bounds = scene()->itemsBoundingRect();
  const QRectF visible = visibleSceneRect();
  // Never over most of a small canvas: shown only where it takes at most 2/5 of each side.
  const QSize room = main_->contentsRect().size();
  const bool wanted = allowed_ && !bounds.isEmpty() && !visible.contains(bounds) &&
                      2 * room.width() >= 5 * kWidth && 2 * room.height() >= 5 * kHeight;
  if (wanted == isHidden() && !dragging_) setVisible(wanted);
  if (!wanted && !dragging_) return;
  bounds = bounds.isEmpty() ? visible : bounds.united(visible);
  const double m = 0.04 * std::max(bounds.width(), bounds.height());
  bounds.adjust(-m, -m, m, m);
  // While dragging, keep the scale steady (the map must not slide under the mouse).
  if (bounds != shown_ && !(dragging_ && shown_.contains(visible))) {
    shown_ = bounds;
    fitInView(shown_, Qt::KeepAspectRatio);
  }
  viewport()->update();
}

void GraphMinimap::place() {
  if (!main_) return;
  // contentsRect, not the viewport's geometry: on the view's Resize the filter runs before the
  // view has laid its viewport out again. (Scroll bars are always off.)
  const QRect vp = main_->contentsRect();
  move(vp.right() - width() - kMargin + 1, vp.bottom() - height() - kMargin + 1);
  raise();
}

void GraphMinimap::drawForeground(QPainter* painter, const QRectF&) {
  const QRectF r = visibleSceneRect();
  if (r.isEmpty()) return;
  QColor c = palette().color(QPalette::Highlight);
  painter->setPen(QPen(c, 0));  // cosmetic: one pixel at any scale
  c.setAlpha(40);
  painter->setBrush(c);
  painter->drawRect(r);
}

void GraphMinimap::centreMainOn(QPoint viewPos) {
  if (!main_) return;
  main_->centerOn(mapToScene(viewPos));
  refit();
}

void GraphMinimap::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  dragging_ = true;
  centreMainOn(event->position().toPoint());
  event->accept();
}

void GraphMinimap::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_) centreMainOn(event->position().toPoint());
  event->accept();
}

void GraphMinimap::mouseReleaseEvent(QMouseEvent* event) {
  dragging_ = false;
  event->accept();
}

void GraphMinimap::wheelEvent(QWheelEvent* event) {
  event->accept();  // the overview has a fixed scale
}

bool GraphMinimap::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Resize) {
    if (watched == main_) place();
    scheduleRefit();
  }
  return QGraphicsView::eventFilter(watched, event);
}

}  // namespace tessel::ui
