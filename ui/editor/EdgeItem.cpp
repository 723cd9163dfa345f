#include "ui/editor/EdgeItem.h"

#include <QApplication>
#include "ui/editor/NodeItem.h"

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

EdgeItem::EdgeItem(NodeId from, NodeId to, int port) : from_(from), to_(to), port_(port) {
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
  updateLabelRect();
  update();
}

void EdgeItem::setMasked(bool masked) {
  if (masked == masked_) return;
  prepareGeometryChange();  // the tag widens the label
  masked_ = masked;
  updateLabelRect();
  update();
}

void EdgeItem::setEnds(QPointF start, QPointF end) {
  if (hasEnds_ && start == start_ && end == end_) return;
  hasEnds_ = true;
  start_ = start;
  end_ = end;
  prepareGeometryChange();
  setPath(curve(start, end));
  updateLabelRect();
}

QRectF EdgeItem::labelRectAt(double percent) const {
  if (label_.isEmpty()) return {};
  static const QFontMetricsF metrics(labelFont());
  QSizeF size = metrics.size(Qt::TextSingleLine, label_);
  if (masked_) size.rwidth() += metrics.horizontalAdvance(QStringLiteral("mask")) + 10;
  const QPointF mid = path().pointAtPercent(percent);
  return QRectF(mid.x() - size.width() / 2 - 4, mid.y() - size.height() / 2 - 1, size.width() + 8,
                size.height() + 2);
}

void EdgeItem::updateLabelRect() {
  labelRect_ = labelRectAt(labelAt_);
}

void EdgeItem::placeLabel(const std::function<bool(const QRectF&)>& covered) {
  if (label_.isEmpty()) return;
  double at = 0.5;
  bool free = false;
  for (double t : {0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85}) {
    if (!covered(mapRectToScene(labelRectAt(t)))) {
      at = t;
      free = true;
      break;
    }
  }
  if (at != labelAt_) {
    prepareGeometryChange();
    labelAt_ = at;
    updateLabelRect();
    update();
  }
  setZValue(free ? 0 : 2);
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

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) {
  painter->setRenderHint(QPainter::Antialiasing);
  const bool selected = option->state & QStyle::State_Selected;
  const QPalette pal = NodeItem::paletteFor(this, widget);
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  QPen p = pen();
  if (dark) p.setColor(QColor(0x9a, 0xa6, 0xb2));
  // Far zoomed out (large graphs): a straight hairline is all that can be seen, and cheap.
  if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.35 && !selected) {
    painter->setRenderHint(QPainter::Antialiasing, false);
    p.setWidth(0);
    painter->setPen(p);
    painter->drawLine(start_, end_);
    return;
  }
  if (selected) p = QPen(QColor(0x1e, 0x88, 0xe5), 3);
  if (masked_) p.setStyle(Qt::DashLine);  // the tensor carries a mask
  painter->setPen(p);
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path());
  if (label_.isEmpty()) return;
  // Zoomed out (nodes drawn compact) the label is unreadable: skip it.
  if (option->levelOfDetailFromTransform(painter->worldTransform()) < NodeItem::kDetailedZoom)
    return;
  const QRectF r = labelRect();
  QColor fill = pal.color(QPalette::Base);
  fill.setAlpha(235);
  painter->setPen(QPen(dark ? QColor(0x5a, 0x63, 0x6d) : QColor(0xc5, 0xcb, 0xd1), 1));
  painter->setBrush(fill);
  painter->drawRoundedRect(r, 4, 4);
  painter->setFont(labelFont());
  QRectF text = r;
  if (masked_) {
    // A small "mask" tag at the label's left end.
    static const QFontMetricsF metrics(labelFont());
    const QRectF tag(r.left() + 2, r.top() + 2, metrics.horizontalAdvance("mask") + 6,
                     r.height() - 4);
    painter->setPen(Qt::NoPen);
    painter->setBrush(maskColor());
    painter->drawRoundedRect(tag, 3, 3);
    painter->setPen(Qt::white);
    painter->drawText(tag, Qt::AlignCenter, QStringLiteral("mask"));
    text.setLeft(tag.right());
  }
  painter->setPen(pal.color(QPalette::Text));
  painter->drawText(text, Qt::AlignCenter, label_);
}

}  // namespace tessel::ui
