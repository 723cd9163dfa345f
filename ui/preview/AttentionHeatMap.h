#pragma once
// An attention matrix as a heat map: rows are query steps (top to bottom), columns key steps
// (left to right), each cell shaded by its weight (viridis-like: dark purple 0, yellow the largest
// weight), labelled with the tokens when given (column labels turn vertical), the weight printed
// in cells large enough. Hovering a cell tells the query token, the key token and the weight.
#include <QStringList>
#include <QWidget>
#include <vector>

namespace tessel::ui {

class AttentionHeatMap : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionHeatMap(QWidget* parent = nullptr);

  // values: rows x cols, row-major. Labels may be shorter (numbers then) or empty.
  void setMatrix(int rows, int cols, std::vector<float> values, QStringList rowLabels = {},
                 QStringList colLabels = {});
  void setTitle(const QString& title);
  void clear();

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  const std::vector<float>& values() const { return values_; }
  const QStringList& rowLabels() const { return rowLabels_; }
  const QStringList& colLabels() const { return colLabels_; }
  QString title() const { return title_; }

  // The colour of a weight (clamped to [0, 1]); the cell of (row, col) in widget coordinates.
  // Cells are coloured on the scale 0 .. scaleMax(): the largest weight (as matplotlib's matshow
  // autoscales), or 1 for a (nearly) flat matrix; the legend says which.
  static QColor colorFor(float v);
  QRect cellRect(int row, int col) const;
  float scaleMax() const;
  QString toolTipAt(const QPoint& pos) const;
  QImage render() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return {200, 160}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  bool event(QEvent* e) override;

 private:
  QString rowLabel(int i) const;
  QString colLabel(int j) const;
  QRect gridRect(const QSize& size) const;
  void paintTo(QPainter& p, const QSize& size) const;
  QFont labelFont() const;

  int rows_ = 0, cols_ = 0;
  std::vector<float> values_;
  QStringList rowLabels_, colLabels_;
  QString title_;
};

}  // namespace tessel::ui
