#include "ui/preview/ActivationGrid.h"

#include <QPainter>
#include <algorithm>

namespace tessel::ui {

namespace {

QImage grayTile(const Tensor& a, Index h, Index w, Index c, Index channel) {
  QImage img(static_cast<int>(w), static_cast<int>(h), QImage::Format_Grayscale8);
  float lo = a[channel], hi = a[channel];
  for (Index p = 0; p < h * w; ++p) {
    lo = std::min(lo, a[p * c + channel]);
    hi = std::max(hi, a[p * c + channel]);
  }
  for (Index y = 0; y < h; ++y) {
    uchar* line = img.scanLine(static_cast<int>(y));
    for (Index x = 0; x < w; ++x) {
      const float v = a[(y * w + x) * c + channel];
      line[x] = hi > lo ? static_cast<uchar>(255.0f * (v - lo) / (hi - lo)) : 0;
    }
  }
  return img;
}

}  // namespace

ActivationGrid::ActivationGrid(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void ActivationGrid::setActivations(const Tensor& a, const QString& layer) {
  tiles_.clear();
  layer_ = layer;
  if (a.rank() == 4 && a.dim(0) == 1) {
    for (Index ch = 0; ch < a.dim(3); ++ch)
      tiles_.push_back(grayTile(a, a.dim(1), a.dim(2), a.dim(3), ch));
  } else if (a.size() > 0) {
    tiles_.push_back(grayTile(a, 1, a.size(), 1, 0));  // one strip of every value
  }
  setMinimumHeight(heightForWidth(std::max(width(), 200)));
  updateGeometry();
  update();
}

int ActivationGrid::side() const {
  if (tiles_.size() == 1 && tiles_[0].height() == 1) return 24;
  return tiles_.size() > 64 ? 48 : 72;
}

int ActivationGrid::columnsFor(int width) const {
  if (tiles_.size() == 1 && tiles_[0].height() == 1) return 1;
  return std::max(1, (width - kGap) / (side() + kGap));
}

int ActivationGrid::heightForWidth(int width) const {
  if (tiles_.empty()) return 40;
  const int cols = columnsFor(width);
  const int rows = (static_cast<int>(tiles_.size()) + cols - 1) / cols;
  return kGap + rows * (side() + kCaption + kGap);
}

QSize ActivationGrid::sizeHint() const {
  return {8 * (side() + kGap) + kGap, heightForWidth(8 * (side() + kGap) + kGap)};
}

void ActivationGrid::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  setMinimumHeight(heightForWidth(width()));
}

void ActivationGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  if (tiles_.empty()) {
    p.drawText(rect(), Qt::AlignCenter, tr("Choose a layer and an image"));
    return;
  }
  const bool strip = tiles_.size() == 1 && tiles_[0].height() == 1;
  const int cols = columnsFor(width()), s = side();
  for (int i = 0; i < static_cast<int>(tiles_.size()); ++i) {
    const int x = kGap + (i % cols) * (s + kGap), y = kGap + (i / cols) * (s + kCaption + kGap);
    const QRect target = strip ? QRect(kGap, y, width() - 2 * kGap, s) : QRect(x, y, s, s);
    p.drawImage(target, tiles_[static_cast<size_t>(i)]);
    p.drawText(QRect(target.left(), target.bottom() + 1, target.width(), kCaption), Qt::AlignCenter,
               strip ? tr("%1 values").arg(tiles_[0].width()) : QString::number(i));
  }
}

}  // namespace tessel::ui
