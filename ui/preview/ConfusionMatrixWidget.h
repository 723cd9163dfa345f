#pragma once
// A confusion matrix heat map: rows are true classes, columns predicted classes, each cell the
// count (shaded by the fraction of its row). Clicking a cell emits cellClicked(true, predicted).
#include <QStringList>
#include <QWidget>
#include <vector>

namespace tessel::ui {

class ConfusionMatrixWidget : public QWidget {
  Q_OBJECT
 public:
  explicit ConfusionMatrixWidget(QWidget* parent = nullptr);

  // counts[t][p]: samples of true class t predicted as p (square, classNames may be shorter).
  void setMatrix(const std::vector<std::vector<int>>& counts, const QStringList& classNames);
  void setTitle(const QString& title);
  const std::vector<std::vector<int>>& counts() const { return counts_; }
  int classCount() const { return static_cast<int>(counts_.size()); }
  double accuracy() const;  // trace / total (0 when empty)

  QRect cellRect(int trueClass, int predClass) const;  // widget coordinates
  QImage render() const;                               // the widget drawn off screen
  // The tooltip at a point: a header's whole class name, a cell's classes and count.
  QString toolTipAt(const QPoint& pos) const;
  bool verticalColumnHeaders() const;  // the names do not fit across a column

  QSize sizeHint() const override { return {560, 520}; }
  QSize minimumSizeHint() const override { return {220, 200}; }

 signals:
  void cellClicked(int trueClass, int predClass);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;

 private:
  QRect matrixRect(const QSize& size) const;
  QString className(int i) const;
  QFont headerFont() const;
  int longestName() const;  // pixels, header font
  void paintTo(QPainter& p, const QSize& size) const;

  std::vector<std::vector<int>> counts_;
  QStringList names_;
  QString title_;
  static constexpr int kLeft = 110, kTop = 64, kRight = 12, kBottom = 12;
};

}  // namespace tessel::ui
