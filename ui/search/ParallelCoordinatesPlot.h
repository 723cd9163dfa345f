#pragma once
// A parallel-coordinates plot on QCustomPlot (TensorBoard's HParams view): one vertical axis per
// column (each hyperparameter, then the objective), one polyline per trial across them, coloured
// by the objective (blue = best, red = worst). Values are given already scaled to [0, 1] per
// axis, with a label for the bottom and top of each axis. Dragging vertically along an axis
// brushes a range on it (brushed(axis, lo, hi) in [0, 1]); a click on an axis without dragging
// clears its brush (brushCleared). Lines outside any brush are drawn grey.
#include <QVector>
#include <QWidget>
#include <map>
#include <utility>

class QCustomPlot;
class QCPItemRect;
class QMouseEvent;

namespace tessel::ui {

class ParallelCoordinatesPlot : public QWidget {
  Q_OBJECT
 public:
  explicit ParallelCoordinatesPlot(QWidget* parent = nullptr);

  // axes: names; low/high: axis end labels; rows: one vector of axis values in [0, 1] per trial;
  // colour: per trial in [0, 1] (0 = best).
  void setData(const QStringList& axes, const QStringList& low, const QStringList& high,
               const QVector<QVector<double>>& rows, const QVector<double>& colour);
  // Which rows pass every brush.
  QVector<bool> visibleRows() const;
  const std::map<int, std::pair<double, double>>& brushes() const { return brushes_; }
  void setBrush(int axis, double lo, double hi);
  void clearBrush(int axis);
  QCustomPlot* plot() const { return plot_; }
  // The pixel of (axis, value in [0, 1]) in plot()'s coordinates (tests drive the mouse there).
  QPoint pixelOf(int axis, double value) const;

 signals:
  void brushed(int axis, double lo, double hi);
  void brushCleared(int axis);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void redraw();
  int axisAt(double x) const;
  QCustomPlot* plot_;
  QStringList axes_;
  QVector<QVector<double>> rows_;
  QVector<double> colour_;
  std::map<int, std::pair<double, double>> brushes_;
  int dragAxis_ = -1;
  double dragStart_ = 0;
  bool dragMoved_ = false;
};

}  // namespace tessel::ui
