#include "ui/editor/EdgeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <cmath>

namespace tessel::ui {

namespace {
QFont labelFont() {
  QFont f;
  f.setPointSizeF(8.5);
  return f;
}
}  // namespace

EdgeItem::EdgeItem(const QString& from, const QString& to, int port)
    : from_(from), to_(to), port_(port) {
  setFlag(ItemIsSelectable);
  setZValue(0);
  setPen(QPen(QColor(0x60, 0x6b, 0x75), 1.8));
}

QPainterPath EdgeItem::curve(QPointF start, QPointF end) {
  QPainterPath path(start);
  if (end.x() < start.x() - 40) {
    // A backward edge (into a wrapped band below, or drawn by hand): leave and enter
    // horizontally, cross the gap in between.
    const double dy = end.y() - start.y();
    path.cubicTo(start + QPointF(120, dy * 0.5), end - QPointF(120, dy * 0.5), end);
    return path;
  }
  const double dx = std::max(40.0, std::abs(end.x() - start.x()) * 0.5);
  path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end);
  return path;
}

void EdgeItem::setLabel(const QString& label) {
  if (label == label_) return;
  prepareGeometryChange();
  label_ = label;
  setToolTip(QString("%1 → %2 %3").arg(from_, to_, label));
  update();
}

void EdgeItem::setEnds(QPointF start, QPointF end) {
  prepareGeometryChange();
  setPath(curve(start, end));
}

QRectF EdgeItem::labelRect() const {
  if (label_.isEmpty()) return {};
  const QSizeF size = QFontMetricsF(labelFont()).size(Qt::TextSingleLine, label_);
  const QPointF mid = path().pointAtPercent(0.5);
  return QRectF(mid.x() - size.width() / 2 - 4, mid.y() - size.height() / 2 - 1, size.width() + 8,
                size.height() + 2);
}

QRectF EdgeItem::boundingRect() const {
  return QGraphicsPathItem::boundingRect().adjusted(-3, -3, 3, 3).united(labelRect());
}

QPainterPath EdgeItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(10);
  QPainterPath s = stroker.createStroke(path());
  if (!label_.isEmpty()) s.addRect(labelRect());
  return s;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  const bool selected = option->state & QStyle::State_Selected;
  QPen p = pen();
  if (selected) p = QPen(QColor(0x1e, 0x88, 0xe5), 3);
  painter->setPen(p);
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path());
  if (label_.isEmpty()) return;
  const QRectF r = labelRect();
  painter->setPen(QPen(QColor(0xc5, 0xcb, 0xd1), 1));
  painter->setBrush(QColor(255, 255, 255, 235));
  painter->drawRoundedRect(r, 4, 4);
  painter->setFont(labelFont());
  painter->setPen(QColor(0x37, 0x41, 0x4a));
  painter->drawText(r, Qt::AlignCenter, label_);
}

}  // namespace tessel::ui
