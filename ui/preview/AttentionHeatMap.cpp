#include "ui/preview/AttentionHeatMap.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>

namespace tessel::ui {

namespace {

constexpr int kMargin = 8, kTitle = 22, kLegend = 28, kMaxLabel = 140;

}  // namespace

AttentionHeatMap::AttentionHeatMap(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setMouseTracking(true);
}

void AttentionHeatMap::setMatrix(int rows, int cols, std::vector<float> values,
                                 QStringList rowLabels, QStringList colLabels) {
  if (rows < 0 || cols < 0 || values.size() != size_t(rows) * size_t(cols)) {
    clear();
    return;
  }
  rows_ = rows;
  cols_ = cols;
  values_ = std::move(values);
  rowLabels_ = std::move(rowLabels);
  colLabels_ = std::move(colLabels);
  updateGeometry();
  update();
}

void AttentionHeatMap::setTitle(const QString& title) {
  title_ = title;
  update();
}

void AttentionHeatMap::clear() {
  rows_ = cols_ = 0;
  values_.clear();
  rowLabels_.clear();
  colLabels_.clear();
  update();
}

QString AttentionHeatMap::rowLabel(int i) const {
  return i < rowLabels_.size() && !rowLabels_[i].isEmpty() ? rowLabels_[i] : QString::number(i);
}

QString AttentionHeatMap::colLabel(int j) const {
  return j < colLabels_.size() && !colLabels_[j].isEmpty() ? colLabels_[j] : QString::number(j);
}

QFont AttentionHeatMap::labelFont() const {
  QFont f = font();
  f.setPixelSize(12);
  return f;
}

QColor AttentionHeatMap::colorFor(float v) {
  // Viridis at five stops, linearly interpolated (perceptually ordered, readable when printed
  // grey, distinguishable for red-green colour blindness).
  static const std::array<QColor, 5> stops = {QColor(68, 1, 84), QColor(59, 82, 139),
                                              QColor(33, 145, 140), QColor(94, 201, 98),
                                              QColor(253, 231, 37)};
  const float t = std::clamp(std::isfinite(v) ? v : 0.0f, 0.0f, 1.0f) * 4.0f;
  const int i = std::min(3, int(t));
  const float f = t - float(i);
  const QColor &a = stops[size_t(i)], &b = stops[size_t(i + 1)];
  return QColor(int(a.red() + f * (b.red() - a.red())),
                int(a.green() + f * (b.green() - a.green())),
                int(a.blue() + f * (b.blue() - a.blue())));
}

float AttentionHeatMap::scaleMax() const {
  float hi = 0.0f, lo = 1.0f;
  for (float v : values_)
    if (std::isfinite(v)) {
      hi = std::max(hi, v);
      lo = std::min(lo, v);
    }
  // A (nearly) flat matrix keeps the absolute scale: stretched, it would glow as if focused.
  if (hi <= 0.0f || hi - lo < 0.05f * hi) return 1.0f;
  return hi;
}

QRect AttentionHeatMap::gridRect(const QSize& size) const {
  const QFontMetrics fm(labelFont());
  int rowW = 0, colW = 0;
  for (int i = 0; i < rows_; ++i) rowW = std::max(rowW, fm.horizontalAdvance(rowLabel(i)));
  for (int j = 0; j < cols_; ++j) colW = std::max(colW, fm.horizontalAdvance(colLabel(j)));
  const int left = kMargin + std::min(rowW + 4, kMaxLabel) + 6;
  const int top = kMargin + kTitle + std::min(colW + 4, kMaxLabel) + 6;
  const int w = std::max(1, size.width() - left - kMargin);
  const int h = std::max(1, size.height() - top - kMargin - kLegend);
  const int cell = std::max(2, std::min({w / std::max(1, cols_), h / std::max(1, rows_), 48}));
  return QRect(left, top, cell * std::max(1, cols_), cell * std::max(1, rows_));
}

QRect AttentionHeatMap::cellRect(int row, int col) const {
  const QRect g = gridRect(size());
  const int cell = g.width() / std::max(1, cols_);
  return QRect(g.left() + col * cell, g.top() + row * cell, cell, cell);
}

QSize AttentionHeatMap::sizeHint() const {
  const QFontMetrics fm(labelFont());
  int rowW = 0, colW = 0;
  for (int i = 0; i < rows_; ++i) rowW = std::max(rowW, fm.horizontalAdvance(rowLabel(i)));
  for (int j = 0; j < cols_; ++j) colW = std::max(colW, fm.horizontalAdvance(colLabel(j)));
  const int cell = 30;
  return {
      std::max(320, 2 * kMargin + std::min(rowW, kMaxLabel) + 6 + cell * cols_),
      std::max(240, 2 * kMargin + kTitle + std::min(colW, kMaxLabel) + 6 + cell * rows_ + kLegend)};
}

QString AttentionHeatMap::toolTipAt(const QPoint& pos) const {
  if (rows_ == 0 || cols_ == 0) return {};
  const QRect g = gridRect(size());
  if (!g.contains(pos)) return {};
  const int cell = g.width() / cols_;
  const int j = (pos.x() - g.left()) / cell, i = (pos.y() - g.top()) / cell;
  if (i < 0 || j < 0 || i >= rows_ || j >= cols_) return {};
  return tr("query %1 “%2” → key %3 “%4”: %5")
      .arg(i)
      .arg(rowLabel(i))
      .arg(j)
      .arg(colLabel(j))
      .arg(values_[size_t(i * cols_ + j)], 0, 'f', 3);
}

bool AttentionHeatMap::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    const QString tip = toolTipAt(he->pos());
    if (tip.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(he->globalPos(), tip, this);
    return true;
  }
  return QWidget::event(e);
}

void AttentionHeatMap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paintTo(p, size());
}

QImage AttentionHeatMap::render() const {
  QImage img(size().expandedTo(QSize(1, 1)), QImage::Format_ARGB32);
  QPainter p(&img);
  paintTo(p, img.size());
  return img;
}

void AttentionHeatMap::paintTo(QPainter& p, const QSize& size) const {
  p.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Base));
  p.setRenderHint(QPainter::Antialiasing, false);
  const QColor text = palette().color(QPalette::Text);
  QFont titleFont = font();
  titleFont.setPixelSize(13);
  titleFont.setBold(true);
  p.setFont(titleFont);
  p.setPen(text);
  p.drawText(QRect(kMargin, kMargin, size.width() - 2 * kMargin, kTitle),
             Qt::AlignLeft | Qt::AlignVCenter,
             QFontMetrics(titleFont).elidedText(title_.isEmpty() ? tr("Attention") : title_,
                                                Qt::ElideRight, size.width() - 2 * kMargin));
  if (rows_ == 0 || cols_ == 0) {
    p.setFont(font());
    p.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter,
               tr("No attention weights yet (they come with the next preview)"));
    return;
  }
  const QRect g = gridRect(size);
  const int cell = g.width() / cols_;
  const QFont lf = labelFont();
  const QFontMetrics fm(lf);
  p.setFont(lf);
  // Row labels, right-aligned against the grid.
  for (int i = 0; i < rows_; ++i) {
    const QRect r(kMargin, g.top() + i * cell, g.left() - kMargin - 6, cell);
    p.drawText(r, Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(rowLabel(i), Qt::ElideRight, r.width()));
  }
  // Column labels, vertical (bottom to top), ending at the grid's top.
  for (int j = 0; j < cols_; ++j) {
    p.save();
    const int x = g.left() + j * cell + cell / 2;
    p.translate(x, g.top() - 6);
    p.rotate(-90);
    const int avail = g.top() - 6 - kMargin - kTitle;
    const QString s = fm.elidedText(colLabel(j), Qt::ElideRight, std::max(10, avail));
    p.drawText(QRect(0, -fm.height() / 2, avail, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, s);
    p.restore();
  }
  // Cells, with the weight printed when the cell is large enough.
  QFont vf = font();
  vf.setPixelSize(std::clamp(cell / 3, 8, 11));
  p.setFont(vf);
  const bool printValues = cell >= 26;
  const float top = scaleMax();
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < cols_; ++j) {
      const float v = values_[size_t(i * cols_ + j)];
      const QRect r(g.left() + j * cell, g.top() + i * cell, cell, cell);
      const QColor c = colorFor(v / top);
      p.fillRect(r, c);
      if (printValues) {
        // Dark ink on the light (green, yellow) end of the ramp, white on the dark end.
        const double luma = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue();
        p.setPen(luma > 140 ? QColor(20, 20, 20) : QColor(250, 250, 250));
        p.drawText(r, Qt::AlignCenter, QString::number(double(v), 'f', 2).mid(v < 1 ? 1 : 0));
      }
    }
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(g.adjusted(0, 0, -1, -1));
  // Legend: the colour ramp 0 .. 1 under the grid.
  const int ly = g.bottom() + 10, lw = std::min(160, std::max(60, g.width()));
  for (int x = 0; x < lw; ++x)
    p.fillRect(QRect(g.left() + x, ly, 1, 8), colorFor(float(x) / float(lw)));
  p.setPen(text);
  p.setFont(lf);
  p.drawText(
      QRect(g.left() + lw + 6, ly - 4, std::max(0, size.width() - g.left() - lw - 14), 16),
      Qt::AlignLeft | Qt::AlignVCenter,
      (top < 1.0f ? tr("0 … %1 (the largest weight)").arg(double(top), 0, 'f', 2) : tr("0 … 1")) +
          tr("   rows: query steps, columns: key steps"));
}

}  // namespace tessel::ui
