#include "ui/preview/ConfusionMatrixWidget.h"
#include "ui/preview/PositionToolTip.h"

#include <QHelpEvent>
#include <QToolTip>

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

namespace tessel::ui {

ConfusionMatrixWidget::ConfusionMatrixWidget(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionMatrixWidget::setMatrix(const std::vector<std::vector<int>>& counts,
                                      const QStringList& classNames) {
  counts_ = counts;
  names_ = classNames;
  update();
}

void ConfusionMatrixWidget::setTitle(const QString& title) {
  title_ = title;
  update();
}

double ConfusionMatrixWidget::accuracy() const {
  long long total = 0, diag = 0;
  for (size_t t = 0; t < counts_.size(); ++t)
    for (size_t p = 0; p < counts_[t].size(); ++p) {
      total += counts_[t][p];
      if (t == p) diag += counts_[t][p];
    }
  return total > 0 ? static_cast<double>(diag) / static_cast<double>(total) : 0.0;
}

QString ConfusionMatrixWidget::className(int i) const {
  return i < names_.size() ? names_[i] : QString::number(i);
}

QFont ConfusionMatrixWidget::headerFont() const {
  QFont f = font();
  f.setPixelSize(11);
  return f;
}

int ConfusionMatrixWidget::longestName() const {
  const QFontMetrics fm(headerFont());
  int w = 0;
  for (int i = 0; i < classCount(); ++i) w = std::max(w, fm.horizontalAdvance(className(i)));
  return w;
}

// Row headers get the width of the longest class name (at most a third of the widget; longer
// names are elided and shown whole in the tooltip); column headers turn vertical, in a band
// sized the same way, when the names do not fit across a column.
QRect ConfusionMatrixWidget::matrixRect(const QSize& size) const {
  const int n = std::max(1, classCount());
  const int names = longestName() + 8;
  const int left = std::clamp(names + 22, kLeft / 2, std::max(kLeft / 2, size.width() / 3));
  int side = std::min(size.width() - left - kRight, size.height() - kTop - kBottom);
  bool vertical = side / n < names;
  const int top = vertical ? std::clamp(names + 44, kTop, std::max(kTop, size.height() / 3)) : kTop;
  side = std::min(size.width() - left - kRight, size.height() - top - kBottom);
  side = std::max(n, side - side % n);
  return QRect(left, top, side, side);
}

bool ConfusionMatrixWidget::verticalColumnHeaders() const {
  const QRect m = matrixRect(size());
  return m.top() > kTop || m.width() / std::max(1, classCount()) < longestName() + 8;
}

QString ConfusionMatrixWidget::toolTipAt(const QPoint& pos) const {
  const int n = classCount();
  const QRect m = matrixRect(size());
  if (n == 0) return {};
  const int c = m.width() / n;
  if (pos.x() < m.left() && pos.y() >= m.top() && pos.y() < m.top() + n * c)
    return tr("True: %1").arg(className((pos.y() - m.top()) / c));
  if (pos.y() < m.top() && pos.y() > 24 && pos.x() >= m.left() && pos.x() < m.left() + n * c)
    return tr("Predicted: %1").arg(className((pos.x() - m.left()) / c));
  for (int t = 0; t < n; ++t)
    for (int q = 0; q < n; ++q)
      if (cellRect(t, q).contains(pos))
        return tr("True %1, predicted %2: %3")
            .arg(className(t), className(q))
            .arg(q < static_cast<int>(counts_[t].size()) ? counts_[t][q] : 0);
  return {};
}

bool ConfusionMatrixWidget::event(QEvent* e) {
  if (showPositionToolTip(this, e, [this](const QPoint& p) { return toolTipAt(p); })) return true;
  return QWidget::event(e);
}

QRect ConfusionMatrixWidget::cellRect(int t, int p) const {
  const int n = classCount();
  if (t < 0 || p < 0 || t >= n || p >= n) return {};
  const QRect m = matrixRect(size());
  const int c = m.width() / n;
  return QRect(m.left() + p * c, m.top() + t * c, c, c);
}

void ConfusionMatrixWidget::paintTo(QPainter& p, const QSize& size) const {
  p.fillRect(QRect(QPoint(0, 0), size), palette().window());
  const int n = classCount();
  QFont f = p.font();
  f.setPixelSize(12);
  p.setFont(f);
  p.setPen(palette().windowText().color());
  QString head = title_;
  if (n > 0)
    head += (head.isEmpty() ? QString() : QStringLiteral(" — ")) +
            tr("accuracy %1%").arg(accuracy() * 100.0, 0, 'f', 1);
  p.drawText(QRect(8, 4, size.width() - 16, 20), Qt::AlignLeft | Qt::AlignVCenter, head);
  if (n == 0) {
    p.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter,
               tr("The confusion matrix appears at the end of each epoch"));
    return;
  }
  const QRect m = matrixRect(size);
  const int c = m.width() / n;
  // Axis titles.
  p.drawText(QRect(m.left(), 24, m.width(), 16), Qt::AlignCenter, tr("Predicted"));
  p.save();
  p.translate(12, m.center().y());
  p.rotate(-90);
  p.drawText(QRect(-m.height() / 2, -10, m.height(), 16), Qt::AlignCenter, tr("True"));
  p.restore();
  p.setFont(headerFont());
  const QFontMetrics fm(headerFont());
  const bool vertical = verticalColumnHeaders();
  const int band = m.top() - 44;  // room of the vertical column headers
  for (int i = 0; i < n; ++i) {
    // Column headers across (or vertical when they do not fit), row headers sized to content;
    // what still does not fit is elided (the tooltip has the whole name).
    if (vertical) {
      p.save();
      p.translate(m.left() + i * c + c / 2, m.top() - 4);
      p.rotate(-90);
      p.drawText(QRect(0, -8, band, 16), Qt::AlignLeft | Qt::AlignVCenter,
                 fm.elidedText(className(i), Qt::ElideRight, band));
      p.restore();
    } else {
      p.drawText(QRect(m.left() + i * c, m.top() - 18, c, 16), Qt::AlignCenter,
                 fm.elidedText(className(i), Qt::ElideRight, c));
    }
    p.drawText(QRect(22, m.top() + i * c, m.left() - 26, c), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(className(i), Qt::ElideRight, m.left() - 26));
  }
  f.setPixelSize(std::clamp(c / 3, 8, 12));
  p.setFont(f);
  for (int t = 0; t < n; ++t) {
    long long rowTotal = 0;
    for (int v : counts_[t]) rowTotal += v;
    for (int q = 0; q < n; ++q) {
      const int v = q < static_cast<int>(counts_[t].size()) ? counts_[t][q] : 0;
      const double frac = rowTotal > 0 ? static_cast<double>(v) / rowTotal : 0.0;
      QColor fill;
      if (t == q)  // diagonal: green scale
        fill = QColor::fromRgbF(1.0 - 0.75 * frac, 1.0 - 0.25 * frac, 1.0 - 0.7 * frac);
      else  // off-diagonal: red scale
        fill = QColor::fromRgbF(1.0 - 0.1 * std::min(1.0, 3 * frac),
                                1.0 - 0.75 * std::min(1.0, 3 * frac),
                                1.0 - 0.75 * std::min(1.0, 3 * frac));
      const QRect cell(m.left() + q * c, m.top() + t * c, c, c);
      p.fillRect(cell, fill);
      p.setPen(QColor(200, 200, 200));
      p.drawRect(cell.adjusted(0, 0, -1, -1));
      if (v > 0) {
        p.setPen(frac > 0.6 ? Qt::white : Qt::black);
        p.drawText(cell, Qt::AlignCenter, QString::number(v));
      }
    }
  }
}

void ConfusionMatrixWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paintTo(p, size());
}

QImage ConfusionMatrixWidget::render() const {
  QImage img(size(), QImage::Format_RGB32);
  QPainter p(&img);
  paintTo(p, size());
  return img;
}

void ConfusionMatrixWidget::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  const int n = classCount();
  for (int t = 0; t < n; ++t)
    for (int q = 0; q < n; ++q)
      if (cellRect(t, q).contains(e->position().toPoint())) {
        emit cellClicked(t, q);
        return;
      }
}

}  // namespace tessel::ui
