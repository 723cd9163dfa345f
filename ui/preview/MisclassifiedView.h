#pragma once
// Every validation error of the first class head at the last epoch end, most confident mistakes
// first, as a PreviewGrid. setFilter(true, predicted) keeps one confusion-matrix cell (-1: any);
// "All errors" clears the filter. Clicking a tile emits recordClicked.
#include <QWidget>
#include <vector>

#include "ui/preview/PreviewRecord.h"

class QLabel;
class QPushButton;

namespace tessel::ui {

class PreviewDriver;
class PreviewGrid;

class MisclassifiedView : public QWidget {
  Q_OBJECT
 public:
  explicit MisclassifiedView(PreviewDriver* driver, QWidget* parent = nullptr);

  void setFilter(int trueClass, int predClass);
  int trueFilter() const { return true_; }
  int predFilter() const { return pred_; }
  void refresh();  // re-reads the driver (after each epoch end)
  void clear();    // no errors shown, no filter (another model is shown)
  PreviewGrid* grid() const { return grid_; }
  QString title() const;

 signals:
  void recordClicked(const tessel::ui::PreviewRecord& record);

 private:
  PreviewDriver* driver_;
  PreviewGrid* grid_;
  QLabel* title_;
  QPushButton* all_;
  int true_ = -1, pred_ = -1;
};

}  // namespace tessel::ui
