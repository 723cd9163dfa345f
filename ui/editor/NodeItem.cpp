#include "ui/editor/NodeItem.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QVector2D>

#include "engine/layers/LayerRegistry.h"
#include "ui/editor/GraphScene.h"

namespace tessel::ui {

namespace {
constexpr double kHeader = 24;
constexpr double kPortGap = 20;
}  // namespace

NodeItem::NodeItem(NodeId id, const QString& name) : id_(id), name_(name) {
  setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
  setAcceptHoverEvents(true);
  setZValue(1);
  // Nodes are redrawn from a pixmap while other items move (text is the costly part).
  setCacheMode(DeviceCoordinateCache);
}

void NodeItem::setName(const QString& name) {
  name_ = name;
  setToolTip({});  // refreshed by the next setContent
  update();
}

void NodeItem::setContent(const Content& content) {
  if (content == content_ && !toolTip().isEmpty()) return;  // nothing to redraw
  if (content.inputPorts != content_.inputPorts ||
      content.isModelOutput != content_.isModelOutput ||
      content.outputNames.size() != content_.outputNames.size())
    prepareGeometryChange();
  content_ = content;
  QString tip = content.error.isEmpty() ? QString("%1 (%2)").arg(name_, content.className)
                                        : QString("%1: %2").arg(name_, content.error);
  if (!content.hint.isEmpty()) tip += "\n" + content.hint;
  if (content.fixCount > 0) tip += "\n" + QObject::tr("Click Fix: %1").arg(content.fixLabel);
  setToolTip(tip);
  update();
}

double NodeItem::height() const {
  const double body = kHeader + 22 + (content_.isModelOutput ? 18 : 0) + 8;
  const int ports =
      std::max(std::max(1, content_.inputPorts), outputPorts() > 1 ? outputPorts() : 1);
  // Several outputs: their labels sit below the subtitle, one row per port.
  const double outputs = outputPorts() > 1 ? kHeader + 22 + kPortGap * outputPorts() : 0;
  return std::max({body, kHeader + 6 + kPortGap * ports, outputs});
}

QPointF NodeItem::inputPortPos(int index) const {
  const int n = std::max(1, content_.inputPorts);
  const double top = kHeader, span = height() - kHeader;
  return {0, top + span * (index + 0.5) / n};
}

QPointF NodeItem::outputPortPos(int index) const {
  const int n = outputPorts();
  if (n == 1) return {kWidth, kHeader + (height() - kHeader) / 2};
  // Below the subtitle, one row per output.
  const double top = kHeader + 22;
  return {kWidth, top + (height() - top) * (index + 0.5) / n};
}

std::optional<NodeItem::Port> NodeItem::portAt(QPointF scenePos) const {
  const QPointF p = mapFromScene(scenePos);
  const double hit = kPortRadius + 5;
  for (int k = 0; k < outputPorts(); ++k)
    if (QVector2D(p - outputPortPos(k)).length() <= hit) return Port{true, k};
  for (int i = 0; i < content_.inputPorts; ++i)
    if (QVector2D(p - inputPortPos(i)).length() <= hit) return Port{false, i};
  return std::nullopt;
}

QRectF NodeItem::fixBadgeRect() const {
  if (!hasFix()) return {};
  const double right = hasError() ? kWidth - 26 : kWidth - 6;
  return QRectF(right - 34, 4, 34, 16);
}

bool NodeItem::fixBadgeAt(QPointF scenePos) const {
  return hasFix() && fixBadgeRect().adjusted(-2, -2, 2, 2).contains(mapFromScene(scenePos));
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
  if (content_.className != "")
    for (int k = 0; k < outputPorts(); ++k)
      path.addEllipse(outputPortPos(k), kPortRadius + 2, kPortRadius + 2);
  return path;
}

QPalette NodeItem::paletteFor(const QGraphicsItem* item, const QWidget* widget) {
  if (widget) return widget->palette();
  if (item->scene() && !item->scene()->views().isEmpty())
    return item->scene()->views().first()->palette();
  return QApplication::palette();
}

QString NodeItem::lookGroup(const LayerInfo* info) {
  if (!info) return {};
  return info->isInput ? QStringLiteral("Input") : QString::fromStdString(info->group);
}

QColor NodeItem::groupColor(const QString& group) {
  if (group == "Input") return QColor(0x2f, 0x7d, 0x32);
  if (group == "Core") return QColor(0x35, 0x6a, 0xa8);
  if (group == "Convolution") return QColor(0x2e, 0x8b, 0x6e);
  if (group == "Pooling") return QColor(0x4d, 0x9a, 0x9e);
  if (group == "Normalization") return QColor(0x8a, 0x6d, 0xb8);
  if (group == "Regularization") return QColor(0x9c, 0x7a, 0x3c);
  if (group == "Merging") return QColor(0xb0, 0x5a, 0x8c);
  if (group == "Reshaping") return QColor(0x6b, 0x7b, 0x8c);
  if (group == "Recurrent") return QColor(0xa8, 0x5d, 0x35);
  if (group == "Attention") return QColor(0x3f, 0x7f, 0x9f);
  if (group == "Preprocessing") return QColor(0x5f, 0x8a, 0x3a);
  if (group == "Activation") return QColor(0xc0, 0x70, 0x3a);
  return QColor(0x5f, 0x6b, 0x7a);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) {
  painter->setRenderHint(QPainter::Antialiasing);
  const QRectF box(0, 0, kWidth, height());
  const bool selected = option->state & QStyle::State_Selected;
  const QColor accent = groupColor(content_.group);
  // Colours from the palette of the view drawing us (light or dark theme).
  const QPalette pal = paletteFor(this, widget);
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  const QColor bodyColor =
      dark ? pal.color(QPalette::Base).lighter(135) : pal.color(QPalette::Base);
  const QColor textColor = pal.color(QPalette::Text);
  const QColor dimText = dark ? textColor.darker(130) : textColor.lighter(160);
  QPainterPath body;
  body.addRoundedRect(box, 8, 8);
  // Zoomed out, the normal text would be too small to read: a coloured box with the class name
  // as large as the box allows (abbreviated when it does not fit).
  const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
  if (lod < kDetailedZoom) {
    paintCompact(painter, lod, selected, pal);
    return;
  }
  // Body and header band.
  painter->fillPath(body, bodyColor);
  painter->save();
  painter->setClipPath(body);
  painter->fillRect(QRectF(0, 0, kWidth, kHeader), content_.frozen ? frozenColor(accent) : accent);
  if (content_.frozen) paintFrozenHatch(painter, box, dark);
  painter->restore();
  // Outline: red for errors, thick blue for selection.
  QPen pen(dark ? QColor(0x6a, 0x73, 0x7d) : QColor(0x9a, 0xa3, 0xad), 1.2);
  if (!content_.hint.isEmpty()) pen = QPen(hintColor(), 2.4);
  if (hasError()) pen = QPen(errorColor(), 2.6);
  if (selected) pen = QPen(hasError() ? errorColor() : QColor(0x1e, 0x88, 0xe5), 3);
  painter->setPen(pen);
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(body);

  // Title (layer name) in the header, elided.
  QFont title = painter->font();
  title.setPointSizeF(10);
  title.setBold(true);
  painter->setFont(title);
  painter->setPen(Qt::white);
  double titleRight = kWidth - 10;
  if (hasError()) titleRight = kWidth - 26;
  if (hasFix()) titleRight = fixBadgeRect().left() - 4;
  if (content_.frozen) {
    paintLock(painter, QPointF(titleRight - 7, kHeader / 2));
    titleRight -= 18;
  }
  QRectF titleRect(10, 0, titleRight - 10, kHeader);
  painter->drawText(titleRect, Qt::AlignVCenter | Qt::AlignLeft,
                    QFontMetricsF(title).elidedText(name_, Qt::ElideMiddle, titleRect.width()));
  if (hasError()) {
    painter->setBrush(QColor(0xd3, 0x2f, 0x2f));
    painter->setPen(QPen(Qt::white, 1.2));
    const QRectF badge(kWidth - 22, 4, 16, 16);
    painter->drawEllipse(badge);
    painter->drawText(badge, Qt::AlignCenter, "!");
  }
  if (hasFix()) {
    // The "Fix" badge: click to apply the first suggested fix.
    const QRectF badge = fixBadgeRect();
    painter->setBrush(Qt::white);
    painter->setPen(QPen(hasError() ? errorColor() : hintColor(), 1.2));
    painter->drawRoundedRect(badge, 8, 8);
    QFont f = painter->font();
    f.setPointSizeF(8);
    f.setBold(true);
    painter->setFont(f);
    painter->drawText(badge, Qt::AlignCenter, QObject::tr("Fix"));
  }
  // Subtitle: type and key settings.
  QFont sub = painter->font();
  sub.setPointSizeF(9);
  sub.setBold(false);
  painter->setFont(sub);
  painter->setPen(textColor);
  QRectF subRect(12, kHeader + 3, kWidth - 24, 18);
  painter->drawText(
      subRect, Qt::AlignVCenter | Qt::AlignLeft,
      QFontMetricsF(sub).elidedText(content_.subtitle, Qt::ElideRight, subRect.width()));
  if (content_.isModelOutput && outputPorts() == 1) {
    painter->setPen(dimText);
    QRectF outRect(12, kHeader + 21, kWidth - 24, 16);
    const QString text = content_.outputShape.isEmpty() ? QStringLiteral("output")
                                                        : "output " + content_.outputShape;
    painter->drawText(outRect, Qt::AlignVCenter | Qt::AlignLeft,
                      QFontMetricsF(sub).elidedText(text, Qt::ElideRight, outRect.width()));
  }
  // Ports: filled when connected, hollow when free.
  const QColor portColor = dark ? QColor(0xb0, 0xb8, 0xc0) : QColor(0x45, 0x50, 0x5a);
  painter->setPen(QPen(portColor, 1.4));
  for (int i = 0; i < content_.inputPorts; ++i) {
    painter->setBrush(i < content_.connectedInputs ? QBrush(portColor) : QBrush(bodyColor));
    painter->drawEllipse(inputPortPos(i), kPortRadius, kPortRadius);
  }
  painter->setBrush(accent);
  for (int k = 0; k < outputPorts(); ++k)
    painter->drawEllipse(outputPortPos(k), kPortRadius, kPortRadius);
  if (outputPorts() > 1) {
    // Each output's name and shape beside its port: "h (None, 32)".
    QFont f = sub;
    f.setPointSizeF(8);
    painter->setFont(f);
    const QFontMetricsF m(f);
    for (int k = 0; k < outputPorts(); ++k) {
      const QPointF at = outputPortPos(k);
      const QRectF r(12, at.y() - 8, kWidth - 12 - kPortRadius - 4, 16);
      QString text = content_.outputNames.value(k);
      if (!content_.outputShapes.value(k).isEmpty()) text += " " + content_.outputShapes.value(k);
      painter->setPen(k == 0 ? textColor : dimText);
      painter->drawText(r, Qt::AlignVCenter | Qt::AlignRight,
                        m.elidedText(text, Qt::ElideLeft, r.width()));
    }
  }
}

QColor NodeItem::frozenColor(const QColor& accent) {
  // Greyed: most of the colour gone, a trace of the group's hue kept.
  const int grey = qGray(accent.rgb());
  return QColor((accent.red() + 3 * grey) / 4, (accent.green() + 3 * grey) / 4,
                (accent.blue() + 3 * grey) / 4);
}

void NodeItem::paintFrozenHatch(QPainter* painter, const QRectF& box, bool dark) {
  // Diagonal hatching over the whole node (the caller clips to its outline).
  QColor line = dark ? QColor(255, 255, 255, 40) : QColor(0x60, 0x70, 0x80, 55);
  painter->setPen(QPen(line, 1.2));
  for (double x = box.left() - box.height(); x < box.right(); x += 7)
    painter->drawLine(QPointF(x, box.bottom()), QPointF(x + box.height(), box.top()));
}

void NodeItem::paintLock(QPainter* painter, QPointF centre) {
  // A small padlock: shackle arc over a rounded body, white on the header band.
  painter->save();
  painter->setPen(QPen(Qt::white, 1.6));
  painter->setBrush(Qt::NoBrush);
  const QRectF shackle(centre.x() - 3.5, centre.y() - 7, 7, 8);
  painter->drawArc(shackle, 0, 180 * 16);
  painter->drawLine(QPointF(shackle.left(), centre.y() - 3), QPointF(shackle.left(), centre.y()));
  painter->drawLine(QPointF(shackle.right(), centre.y() - 3), QPointF(shackle.right(), centre.y()));
  painter->setPen(Qt::NoPen);
  painter->setBrush(Qt::white);
  painter->drawRoundedRect(QRectF(centre.x() - 5.5, centre.y() - 0.5, 11, 8), 1.5, 1.5);
  painter->restore();
}

QString NodeItem::abbreviation(const QString& className) {
  // "GlobalAveragePooling2D" -> "GAP2D", "BatchNormalization" -> "BN".
  QString out;
  for (const QChar c : className)
    if (c.isUpper() || c.isDigit()) out += c;
  return out.isEmpty() ? className.left(3) : out;
}

void NodeItem::paintCompact(QPainter* painter, double lod, bool selected, const QPalette& pal) {
  const QRectF box(0, 0, kWidth, height());
  const QColor accent =
      content_.frozen ? frozenColor(groupColor(content_.group)) : groupColor(content_.group);
  painter->setRenderHint(QPainter::Antialiasing, lod > 0.2);
  painter->setPen(Qt::NoPen);
  painter->setBrush(accent);
  painter->drawRoundedRect(box, 8, 8);
  if (content_.frozen) {
    QPainterPath clip;
    clip.addRoundedRect(box, 8, 8);
    painter->save();
    painter->setClipPath(clip);
    paintFrozenHatch(painter, box, true);
    painter->restore();
  }
  if (hasError() || selected || !content_.hint.isEmpty()) {
    QColor c = selected ? pal.color(QPalette::Highlight) : hintColor();
    if (hasError()) c = errorColor();
    painter->setPen(QPen(c, 3 / std::max(lod, 0.05)));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(box, 8, 8);
  }
  // About 12 screen pixels high, no more than most of the box.
  const double px = std::min(12.0 / std::max(lod, 0.05), box.height() * 0.62);
  if (px * lod < 5) return;  // nothing legible fits: the colour says the group
  QFont f = painter->font();
  f.setPixelSize(std::max(1, static_cast<int>(px)));
  f.setBold(true);
  const QFontMetricsF m(f);
  const QRectF text = box.adjusted(8, 0, -8, 0);
  QString label = content_.className;
  if (m.horizontalAdvance(label) > text.width()) label = abbreviation(label);
  label = m.elidedText(label, Qt::ElideRight, text.width());
  painter->setFont(f);
  painter->setPen(Qt::white);
  painter->drawText(text, Qt::AlignCenter, label);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionHasChanged)
    if (auto* s = qobject_cast<GraphScene*>(scene())) s->nodeItemMoved(this);
  return QGraphicsItem::itemChange(change, value);
}

}  // namespace tessel::ui
