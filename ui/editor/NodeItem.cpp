#include "ui/editor/NodeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QVector2D>

#include "ui/editor/GraphScene.h"

namespace tessel::ui {

namespace {
constexpr double kHeader = 24;
constexpr double kPortGap = 20;
}  // namespace

NodeItem::NodeItem(const QString& name) : name_(name) {
  setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
  setAcceptHoverEvents(true);
  setZValue(1);
}

void NodeItem::setName(const QString& name) {
  name_ = name;
  update();
}

void NodeItem::setContent(const Content& content) {
  if (content.inputPorts != content_.inputPorts || content.isModelOutput != content_.isModelOutput)
    prepareGeometryChange();
  content_ = content;
  setToolTip(content.error.isEmpty() ? QString("%1 (%2)").arg(name_, content.className)
                                     : QString("%1: %2").arg(name_, content.error));
  update();
}

double NodeItem::height() const {
  const double body = kHeader + 22 + (content_.isModelOutput ? 18 : 0) + 8;
  return std::max(body, kHeader + 6 + kPortGap * std::max(1, content_.inputPorts));
}

QPointF NodeItem::inputPortPos(int index) const {
  const int n = std::max(1, content_.inputPorts);
  const double top = kHeader, span = height() - kHeader;
  return {0, top + span * (index + 0.5) / n};
}

QPointF NodeItem::outputPortPos() const {
  return {kWidth, kHeader + (height() - kHeader) / 2};
}

std::optional<NodeItem::Port> NodeItem::portAt(QPointF scenePos) const {
  const QPointF p = mapFromScene(scenePos);
  const double hit = kPortRadius + 5;
  if (QVector2D(p - outputPortPos()).length() <= hit) return Port{true, 0};
  for (int i = 0; i < content_.inputPorts; ++i)
    if (QVector2D(p - inputPortPos(i)).length() <= hit) return Port{false, i};
  return std::nullopt;
}

QRectF NodeItem::boundingRect() const {
  const double m = kPortRadius + 3;
  return QRectF(-m, -3, kWidth + 2 * m, height() + 6);
}

QPainterPath NodeItem::shape() const {
  QPainterPath path;
  path.addRoundedRect(QRectF(0, 0, kWidth, height()), 8, 8);
  for (int i = 0; i < content_.inputPorts; ++i)
    path.addEllipse(inputPortPos(i), kPortRadius + 2, kPortRadius + 2);
  if (content_.className != "") path.addEllipse(outputPortPos(), kPortRadius + 2, kPortRadius + 2);
  return path;
}

QColor NodeItem::groupColor(const QString& group) {
  if (group == "Core") return QColor(0x35, 0x6a, 0xa8);
  if (group == "Convolution") return QColor(0x2e, 0x8b, 0x6e);
  if (group == "Pooling") return QColor(0x4d, 0x9a, 0x9e);
  if (group == "Normalization") return QColor(0x8a, 0x6d, 0xb8);
  if (group == "Regularization") return QColor(0x9c, 0x7a, 0x3c);
  if (group == "Merging") return QColor(0xb0, 0x5a, 0x8c);
  if (group == "Reshaping") return QColor(0x6b, 0x7b, 0x8c);
  if (group == "Recurrent") return QColor(0xa8, 0x5d, 0x35);
  return QColor(0x5f, 0x6b, 0x7a);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  const QRectF box(0, 0, kWidth, height());
  const bool selected = option->state & QStyle::State_Selected;
  const QColor accent =
      content_.className == "InputLayer" ? QColor(0x2f, 0x7d, 0x32) : groupColor(content_.group);
  // Body and header band.
  QPainterPath body;
  body.addRoundedRect(box, 8, 8);
  painter->fillPath(body, QColor(0xfb, 0xfb, 0xfc));
  painter->save();
  painter->setClipPath(body);
  painter->fillRect(QRectF(0, 0, kWidth, kHeader), accent);
  painter->restore();
  // Outline: red for errors, thick blue for selection.
  QPen pen(QColor(0x9a, 0xa3, 0xad), 1.2);
  if (hasError()) pen = QPen(QColor(0xd3, 0x2f, 0x2f), 2.6);
  if (selected) pen = QPen(hasError() ? QColor(0xd3, 0x2f, 0x2f) : QColor(0x1e, 0x88, 0xe5), 3);
  painter->setPen(pen);
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(body);

  // Title (layer name) in the header, elided.
  QFont title = painter->font();
  title.setPointSizeF(10);
  title.setBold(true);
  painter->setFont(title);
  painter->setPen(Qt::white);
  QRectF titleRect(10, 0, kWidth - 20, kHeader);
  painter->drawText(titleRect, Qt::AlignVCenter | Qt::AlignLeft,
                    QFontMetricsF(title).elidedText(name_, Qt::ElideMiddle, titleRect.width()));
  if (hasError()) {
    painter->setBrush(QColor(0xd3, 0x2f, 0x2f));
    painter->setPen(QPen(Qt::white, 1.2));
    const QRectF badge(kWidth - 22, 4, 16, 16);
    painter->drawEllipse(badge);
    painter->drawText(badge, Qt::AlignCenter, "!");
  }
  // Subtitle: type and key settings.
  QFont sub = painter->font();
  sub.setPointSizeF(9);
  sub.setBold(false);
  painter->setFont(sub);
  painter->setPen(QColor(0x26, 0x32, 0x38));
  QRectF subRect(12, kHeader + 3, kWidth - 24, 18);
  painter->drawText(
      subRect, Qt::AlignVCenter | Qt::AlignLeft,
      QFontMetricsF(sub).elidedText(content_.subtitle, Qt::ElideRight, subRect.width()));
  if (content_.isModelOutput) {
    painter->setPen(QColor(0x60, 0x6b, 0x75));
    QRectF outRect(12, kHeader + 21, kWidth - 24, 16);
    const QString text = content_.outputShape.isEmpty() ? QStringLiteral("output")
                                                        : "output " + content_.outputShape;
    painter->drawText(outRect, Qt::AlignVCenter | Qt::AlignLeft,
                      QFontMetricsF(sub).elidedText(text, Qt::ElideRight, outRect.width()));
  }
  // Ports: filled when connected, hollow when free.
  painter->setPen(QPen(QColor(0x45, 0x50, 0x5a), 1.4));
  for (int i = 0; i < content_.inputPorts; ++i) {
    painter->setBrush(i < content_.connectedInputs ? QBrush(QColor(0x45, 0x50, 0x5a))
                                                   : QBrush(Qt::white));
    painter->drawEllipse(inputPortPos(i), kPortRadius, kPortRadius);
  }
  painter->setBrush(accent);
  painter->drawEllipse(outputPortPos(), kPortRadius, kPortRadius);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionHasChanged)
    if (auto* s = qobject_cast<GraphScene*>(scene())) s->nodeItemMoved(this);
  return QGraphicsItem::itemChange(change, value);
}

}  // namespace tessel::ui
