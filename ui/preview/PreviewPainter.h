#pragma once
// Draws one PreviewRecord as a tile: a border coloured by correctness, the image scaled to the
// tile (nearest neighbour, so pixels stay crisp), the ground-truth boxes (green) over the
// predicted boxes (orange), and a caption with the class label, confidence and IoU.
//
// Tile layout (widths in pixels): | border kPad | image side | kPad |, caption under the image.
#include <QColor>
#include <QImage>
#include <QRect>
#include <QStringList>

#include "ui/preview/PreviewRecord.h"

class QPainter;

namespace tessel::ui {

class PreviewPainter {
 public:
  static constexpr int kBorder = 3;  // width of the correctness frame
  static constexpr int kPad = 5;     // frame + gap around the image

  static QColor truthColor() { return QColor(0, 220, 0); }   // ground-truth boxes
  static QColor predColor() { return QColor(255, 140, 0); }  // predicted boxes
  static QColor verdictColor(PreviewVerdict v);              // green / amber / red / grey
  static QColor background() { return QColor(32, 32, 36); }

  // Caption height under the image; `large` is the enlarged (dialog / single-image) form.
  static int captionHeight(bool large);
  // Size of a tile whose image area is side × side.
  static QSize tileSize(int side, bool large);
  // Where the image lands inside `tile` (aspect kept, centred in the square image area).
  static QRect imageRect(const QRect& tile, const QImage& image, bool large);
  // A box [y_min, x_min, y_max, x_max] in [0, 1] mapped onto an image rectangle.
  static QRectF boxRect(const QRect& imageRect, const PreviewBox& box);

  static QString className(const QStringList& names, int id);
  // "Shirt 93%  IoU 0.81" style lines of the caption.
  static QStringList captionLines(const PreviewRecord& rec, const QStringList& names, bool large);

  static void paintTile(QPainter& p, const QRect& tile, const PreviewRecord& rec,
                        const QStringList& names, bool large);
  static QImage renderTile(const PreviewRecord& rec, const QStringList& names, int side,
                           bool large);
};

}  // namespace tessel::ui
