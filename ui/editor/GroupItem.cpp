#include "ui/editor/GroupItem.h"

#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "ui/editor/BlockRenameEditor.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {
constexpr double kPortGap = 22;
const QColor kBlockColor(0x5e, 0x35, 0xb1);  // deep purple: no layer group uses it
}  // namespace

GroupItem::GroupItem(GraphScene* scene, const QString& name) : graph_(scene) {
  content_.name = name;
  setFlags(ItemIsSelectable | ItemSendsGeometryChanges);
  setAcceptedMouseButtons(Qt::LeftButton | Qt::RightButton);
}

void GroupItem::setContent(const Content& c) {
  if (c == content_) return;
  prepareGeometryChange();
  content_ = c;
  setFlag(ItemIsMovable, c.collapsed);
  setZValue(c.collapsed ? 1 : -10 + c.depth);
  setToolTip(c.error.isEmpty()
                 ? QObject::tr("Block '%1': %2 layers (double-click to %3, on the name to rename)")
                       .arg(c.name)
                       .arg(c.layerCount)
                       .arg(c.collapsed ? QObject::tr("expand") : QObject::tr("collapse"))
                 : c.error);
  update();
}

double GroupItem::collapsedHeight() const {
  const int ports = std::max({1, content_.inputPorts, content_.outputPorts});
  return std::max(kHeader + 46.0, kHeader + 8 + kPortGap * ports);
}

void GroupItem::setFrame(const QRectF& inner) {
  const QRectF r = inner.adjusted(-kPad, -kPad - kHeader, kPad, kPad);
  if (r.size() != size_) {
    prepareGeometryChange();
    size_ = r.size();
  }
  placing_ = true;
  setPos(r.topLeft());
  placing_ = false;
}

void GroupItem::setCollapsedAt(QPointF topLeft) {
  const QSizeF s(NodeItem::kWidth, collapsedHeight());
  if (s != size_) {
    prepareGeometryChange();
    size_ = s;
  }
  placing_ = true;
  setPos(topLeft);
  placing_ = false;
}

QPointF GroupItem::inputPortScenePos(int index) const {
  const int n = std::max(1, content_.inputPorts);
  const double span = size_.height() - kHeader;
  return mapToScene(QPointF(0, kHeader + span * (index + 1) / (n + 1)));
}

QPointF GroupItem::outputPortScenePos(int index) const {
  const int n = std::max(1, content_.outputPorts);
  const double span = size_.height() - kHeader;
  return mapToScene(QPointF(size_.width(), kHeader + span * (index + 1) / (n + 1)));
}

QRectF GroupItem::headerRect() const {
  return QRectF(0, 0, size_.width(), kHeader);
}

namespace {
QFont titleFont() {
  QFont title;
  title.setPointSizeF(10);
  title.setBold(true);
  return title;
}
QString arrowOf(bool collapsed) {
  return QString::fromUtf8(collapsed ? "\u25B8 " : "\u25BE ");
}
}  // namespace

QRectF GroupItem::titleRect() const {
  const QFontMetricsF fm(titleFont());
  const double left = 10 + fm.horizontalAdvance(arrowOf(content_.collapsed));
  const double right = std::min(left + fm.horizontalAdvance(content_.name), size_.width() - 10);
  return QRectF(left, 0, std::max(0.0, right - left), kHeader);
}

QRectF GroupItem::boundingRect() const {
  return QRectF(QPointF(-NodeItem::kPortRadius - 2, -3),
                size_ + QSizeF(2 * NodeItem::kPortRadius + 4, 6));
}

QPainterPath GroupItem::shape() const {
  QPainterPath p;
  if (content_.collapsed)
    p.addRoundedRect(QRectF(QPointF(0, 0), size_), 8, 8);
  else
    p.addRect(headerRect());
  return p;
}

void GroupItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) {
  painter->setRenderHint(QPainter::Antialiasing);
  const QPalette pal = NodeItem::paletteFor(this, widget);
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  const bool selected = option->state & QStyle::State_Selected;
  const QColor accent = content_.frozen ? NodeItem::frozenColor(kBlockColor) : kBlockColor;
  const QRectF box(QPointF(0, 0), size_);
  QPen outline(content_.error.isEmpty() ? accent : NodeItem::errorColor(), 1.6);
  if (selected) outline = QPen(QColor(0x1e, 0x88, 0xe5), 3);
  QFont title = titleFont();
  QFont sub = title;
  sub.setPointSizeF(9);
  sub.setBold(false);
  const QString count = content_.layerCount == 1
                            ? QObject::tr("1 layer")
                            : QObject::tr("%1 layers").arg(content_.layerCount);

  if (!content_.collapsed) {
    // A tinted region with a dashed outline behind the block's layers.
    QColor fill = accent;
    fill.setAlpha(dark ? 40 : 22);
    QPainterPath frame;
    frame.addRoundedRect(box, 10, 10);
    painter->fillPath(frame, fill);
    outline.setStyle(selected ? Qt::SolidLine : Qt::DashLine);
    painter->setPen(outline);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(frame);
    painter->save();
    painter->setClipPath(frame);
    painter->fillRect(headerRect(), accent);
    painter->restore();
    painter->setFont(title);
    painter->setPen(Qt::white);
    const QRectF t = headerRect().adjusted(10, 0, -10, 0);
    painter->drawText(
        t, Qt::AlignVCenter | Qt::AlignLeft,
        QFontMetricsF(title).elidedText(arrowOf(false) + content_.name + "  \u00B7  " + count,
                                        Qt::ElideRight, t.width()));
    return;
  }

  // Collapsed: a node-like box, stacked card edges behind it.
  const QColor bodyColor =
      dark ? pal.color(QPalette::Base).lighter(135) : pal.color(QPalette::Base);
  for (int k = 2; k >= 1; --k) {
    QPainterPath card;
    card.addRoundedRect(box.translated(3 * k, 3 * k).adjusted(0, 0, 0, 0), 8, 8);
    painter->fillPath(card, bodyColor.darker(100 + 6 * k));
    painter->setPen(QPen(accent.lighter(130), 1));
    painter->drawPath(card);
  }
  QPainterPath body;
  body.addRoundedRect(box, 8, 8);
  painter->fillPath(body, bodyColor);
  painter->save();
  painter->setClipPath(body);
  painter->fillRect(headerRect(), accent);
  if (content_.frozen) NodeItem::paintFrozenHatch(painter, box, dark);
  painter->restore();
  painter->setPen(outline);
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(body);
  painter->setFont(title);
  painter->setPen(Qt::white);
  const QRectF t = headerRect().adjusted(10, 0, -10, 0);
  painter->drawText(
      t, Qt::AlignVCenter | Qt::AlignLeft,
      QFontMetricsF(title).elidedText(arrowOf(true) + content_.name, Qt::ElideMiddle, t.width()));
  painter->setFont(sub);
  painter->setPen(pal.color(QPalette::Text));
  const QRectF line1(12, kHeader + 3, size_.width() - 24, 18);
  painter->drawText(line1, Qt::AlignVCenter | Qt::AlignLeft,
                    QObject::tr("Block \u00B7 %1").arg(count));
  const QRectF line2(12, kHeader + 21, size_.width() - 24, 18);
  const QString shape =
      content_.error.isEmpty()
          ? (content_.outputPorts > 1
                 ? QObject::tr("%1 outputs %2").arg(content_.outputPorts).arg(content_.outputShape)
                 : QObject::tr("output %1").arg(content_.outputShape))
          : QObject::tr("not a valid block");
  painter->setPen(content_.error.isEmpty() ? pal.color(QPalette::Text).lighter(dark ? 80 : 160)
                                           : NodeItem::errorColor());
  painter->drawText(line2, Qt::AlignVCenter | Qt::AlignLeft,
                    QFontMetricsF(sub).elidedText(shape, Qt::ElideRight, line2.width()));
  const QColor portColor = dark ? QColor(0xb0, 0xb8, 0xc0) : QColor(0x45, 0x50, 0x5a);
  painter->setPen(QPen(portColor, 1.4));
  painter->setBrush(portColor);
  for (int i = 0; i < content_.inputPorts; ++i)
    painter->drawEllipse(mapFromScene(inputPortScenePos(i)), NodeItem::kPortRadius,
                         NodeItem::kPortRadius);
  painter->setBrush(accent);
  for (int k = 0; k < std::max(1, content_.outputPorts); ++k)
    painter->drawEllipse(mapFromScene(outputPortScenePos(k)), NodeItem::kPortRadius,
                         NodeItem::kPortRadius);
}

void GroupItem::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QGraphicsItem::mouseDoubleClickEvent(event);
  event->accept();
  if (titleRect().contains(event->pos()))
    BlockRenameEditor::open(graph_, content_.name);
  else
    graph_->toggleBlock(content_.name);
}

QVariant GroupItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionHasChanged && !placing_) graph_->groupItemMoved(this);
  return QGraphicsItem::itemChange(change, value);
}

}  // namespace tessel::ui
