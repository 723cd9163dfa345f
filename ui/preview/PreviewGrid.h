#pragma once
// A grid of preview tiles (PreviewPainter), as many columns as fit the width. Clicking a tile
// emits tileClicked and (when enlargeOnClick) opens a PreviewZoomDialog with the tile drawn
// large. renderGrid()/exportPng() draw the whole grid off screen.
#include <QStringList>
#include <QWidget>
#include <vector>

#include "ui/preview/PreviewRecord.h"

namespace tessel::ui {

class PreviewZoomDialog;

class PreviewGrid : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewGrid(QWidget* parent = nullptr);

  void setRecords(std::vector<PreviewRecord> records);
  const std::vector<PreviewRecord>& records() const { return records_; }
  void setClassNames(const QStringList& names);
  const QStringList& classNames() const { return names_; }
  // Side of a tile's image area in pixels (default 128).
  void setTileSide(int side);
  int tileSide() const { return side_; }
  void setEnlargeOnClick(bool on) { enlarge_ = on; }

  int columns() const;                  // for the current width
  int tileAt(const QPoint& pos) const;  // -1 when outside every tile
  QRect tileRect(int index) const;      // in widget coordinates
  QRect imageRect(int index) const;     // image area of a tile, widget coordinates
  // A tile's whole caption (the tile elides it): its tooltip. Empty outside every tile.
  QString toolTipAt(const QPoint& pos) const;
  // The whole grid drawn into an image `columns` tiles wide (default: as on screen).
  QImage renderGrid(int columns = 0) const;
  bool exportPng(const QString& path) const;
  // The last zoom dialog opened by a click (nullptr when none is open).
  PreviewZoomDialog* zoomDialog() const;

  QSize sizeHint() const override;
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;

 signals:
  void tileClicked(int index);

 protected:
  bool event(QEvent* e) override;
  void paintEvent(QPaintEvent*) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  int columnsFor(int width) const;
  void updateMinimumHeight();

  std::vector<PreviewRecord> records_;
  QStringList names_;
  int side_ = 128;
  bool enlarge_ = true;
  static constexpr int kSpacing = 6;
};

}  // namespace tessel::ui
