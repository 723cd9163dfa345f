#include "ui/preview/PreviewPainter.h"

#include <QFont>
#include <QFontMetrics>
#include <QPainter>
#include <QPen>
#include <cmath>

namespace tessel::ui {

namespace {

QFont captionFont(bool large) {
  QFont f;
  f.setPixelSize(large ? 14 : 11);
  return f;
}

QString percent(float p) {
  return QString::number(static_cast<int>(std::lround(p * 100.0f))) + QStringLiteral("%");
}

// Label tag drawn at the top-left corner of a box (inside the image when it would leave it).
void drawTag(QPainter& p, const QRectF& box, const QRect& image, const QString& text,
             const QColor& color) {
  const QFontMetrics fm(p.font());
  const int w = fm.horizontalAdvance(text) + 4, h = fm.height();
  QRectF tag(box.left(), box.top() - h, w, h);
  if (tag.top() < image.top()) tag.moveTop(box.top());
  if (tag.right() > image.right()) tag.moveRight(image.right());
  p.fillRect(tag, color);
  p.setPen(Qt::black);
  p.drawText(tag.adjusted(2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
}

}  // namespace

QColor PreviewPainter::verdictColor(PreviewVerdict v) {
  switch (v) {
    case PreviewVerdict::Correct:
      return QColor(40, 200, 80);
    case PreviewVerdict::Partial:
      return QColor(235, 190, 40);
    case PreviewVerdict::Wrong:
      return QColor(225, 50, 50);
    case PreviewVerdict::Unknown:
      break;
  }
  return QColor(110, 110, 110);
}

int PreviewPainter::captionHeight(bool large) {
  const QFontMetrics fm(captionFont(large));
  return fm.height() * (large ? 3 : 2) + 4;
}

QSize PreviewPainter::tileSize(int side, bool large) {
  return {side + 2 * kPad, side + 2 * kPad + captionHeight(large)};
}

QRect PreviewPainter::imageRect(const QRect& tile, const QImage& image, bool large) {
  const int side = tile.width() - 2 * kPad;
  const int avail = tile.height() - 2 * kPad - captionHeight(large);
  const QRect area(tile.left() + kPad, tile.top() + kPad, side, std::max(1, avail));
  if (image.isNull() || image.width() == image.height())
    return QRect(area.topLeft(), QSize(std::min(area.width(), area.height()),
                                       std::min(area.width(), area.height())));
  QSize s = image.size().scaled(area.size(), Qt::KeepAspectRatio);
  return QRect(area.left() + (area.width() - s.width()) / 2, area.top(), s.width(), s.height());
}

QRectF PreviewPainter::boxRect(const QRect& r, const PreviewBox& b) {
  const double x0 = r.left() + b.xMin * r.width(), x1 = r.left() + b.xMax * r.width();
  const double y0 = r.top() + b.yMin * r.height(), y1 = r.top() + b.yMax * r.height();
  return QRectF(QPointF(x0, y0), QPointF(x1, y1));
}

QString PreviewPainter::className(const QStringList& names, int id) {
  if (id < 0) return QStringLiteral("?");
  if (id < names.size()) return names[id];
  return QString::number(id);
}

QStringList PreviewPainter::captionLines(const PreviewRecord& rec, const QStringList& names,
                                         bool large) {
  QStringList lines;
  QString pred;
  if (rec.hasClass()) pred = className(names, rec.predClass) + " " + percent(rec.confidence);
  if (rec.iou >= 0)
    pred += (pred.isEmpty() ? QString() : QStringLiteral("  ")) + QStringLiteral("IoU ") +
            QString::number(rec.iou, 'f', 2);
  else if (!rec.predBoxes.empty() && !rec.hasClass())
    pred = QString::number(rec.predBoxes.size()) + QStringLiteral(" boxes");
  QString truth =
      rec.trueClass >= 0 ? QStringLiteral("true: ") + className(names, rec.trueClass) : QString();
  if (pred.isEmpty()) pred = QStringLiteral("no prediction yet");
  lines << pred << truth;
  if (large && rec.predBoxes.size() > 1)
    lines << QString::number(rec.predBoxes.size()) + QStringLiteral(" boxes kept");
  return lines;
}

void PreviewPainter::paintTile(QPainter& p, const QRect& tile, const PreviewRecord& rec,
                               const QStringList& names, bool large) {
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.fillRect(tile, background());
  // Correctness frame.
  const QColor frame = verdictColor(rec.verdict());
  p.fillRect(QRect(tile.left(), tile.top(), tile.width(), kBorder), frame);
  p.fillRect(QRect(tile.left(), tile.bottom() - kBorder + 1, tile.width(), kBorder), frame);
  p.fillRect(QRect(tile.left(), tile.top(), kBorder, tile.height()), frame);
  p.fillRect(QRect(tile.right() - kBorder + 1, tile.top(), kBorder, tile.height()), frame);

  const QRect ir = imageRect(tile, rec.image, large);
  if (!rec.image.isNull())
    p.drawImage(ir, rec.image);
  else
    p.fillRect(ir, Qt::black);

  p.setFont(captionFont(large));
  const int penW = large ? 3 : 2;
  const bool tags = large || rec.predBoxes.size() > 1;
  p.setClipRect(ir.adjusted(-penW, -penW, penW, penW));
  // Predictions first, ground truth on top (stays exactly green where both coincide).
  for (const PreviewBox& b : rec.predBoxes) {
    if (!b.valid()) continue;
    QPen pen(predColor(), penW);
    pen.setJoinStyle(Qt::MiterJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    p.drawRect(boxRect(ir, b));
  }
  for (const PreviewBox& b : rec.trueBoxes) {
    if (!b.valid()) continue;
    QPen pen(truthColor(), penW);
    pen.setJoinStyle(Qt::MiterJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    p.drawRect(boxRect(ir, b));
  }
  if (tags) {
    for (const PreviewBox& b : rec.predBoxes) {
      if (!b.valid()) continue;
      QString t = b.classId >= 0 ? className(names, b.classId) : QString();
      if (b.score >= 0) t += (t.isEmpty() ? "" : " ") + percent(b.score);
      if (b.iou >= 0) t += QStringLiteral(" IoU ") + QString::number(b.iou, 'f', 2);
      drawTag(p, boxRect(ir, b), ir, t, predColor());
    }
  }
  p.setClipping(false);

  // Caption: prediction (orange when there are boxes, else the verdict colour) with the IoU
  // right-aligned on the same line, then the truth (green).
  const QStringList lines = captionLines(rec, names, large);
  const QFontMetrics fm(p.font());
  int y = ir.bottom() + 3;
  const int textW = tile.width() - 2 * kPad;
  for (int i = 0; i < lines.size(); ++i) {
    QColor c = i == 0 ? (rec.predBoxes.empty() ? frame.lighter(120) : predColor())
                      : (i == 1 ? truthColor() : QColor(220, 220, 220));
    QRect line(tile.left() + kPad, y, textW, fm.height());
    QString text = lines[i];
    if (i == 0 && rec.iou >= 0 && rec.hasClass()) {
      const QString iou = QStringLiteral("IoU ") + QString::number(rec.iou, 'f', 2);
      p.setPen(QColor(230, 230, 230));
      p.drawText(line, Qt::AlignRight | Qt::AlignVCenter, iou);
      line.setRight(line.right() - fm.horizontalAdvance(iou) - 4);
      text = className(names, rec.predClass) + " " + percent(rec.confidence);
    }
    p.setPen(c);
    p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(text, Qt::ElideRight, line.width()));
    y += fm.height();
  }
  p.restore();
}

QImage PreviewPainter::renderTile(const PreviewRecord& rec, const QStringList& names, int side,
                                  bool large) {
  const QSize s = tileSize(side, large);
  QImage img(s, QImage::Format_RGB32);
  img.fill(background());
  QPainter p(&img);
  paintTile(p, QRect(QPoint(0, 0), s), rec, names, large);
  p.end();
  return img;
}

}  // namespace tessel::ui
