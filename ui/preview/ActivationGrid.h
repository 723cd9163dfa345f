#pragma once
// The feature maps of one layer for one image as a tiled grid: an (1, H, W, C) activation draws
// C grayscale tiles (each normalised to its own range, channel number under it); any other shape
// draws its values as one strip.
#include <QImage>
#include <QWidget>

#include "engine/tensor/Tensor.h"

namespace tessel::ui {

class ActivationGrid : public QWidget {
  Q_OBJECT
 public:
  explicit ActivationGrid(QWidget* parent = nullptr);

  void setActivations(const Tensor& a, const QString& layer);
  int tileCount() const { return static_cast<int>(tiles_.size()); }
  const QString& layer() const { return layer_; }
  QSize sizeHint() const override;
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  int side() const;
  int columnsFor(int width) const;

  std::vector<QImage> tiles_;
  QString layer_;
  static constexpr int kGap = 4, kCaption = 14;
};

}  // namespace tessel::ui
