#pragma once
// Keras's model.summary() as a live table: Layer (type), Output Shape, Param #, Connected to,
// one row per layer in model order, then Total / Trainable / Non-trainable params. It follows the
// document (every change re-validates); selecting a row emits nodeActivated(name), and
// selectNode(name) selects the row without emitting.
#include <QHash>
#include <QWidget>
#include <vector>

class QLabel;
class QTableWidget;

namespace tessel::ui {

class GraphDocument;

class SummaryPanel : public QWidget {
  Q_OBJECT

 public:
  enum Column { LayerColumn, ShapeColumn, ParamsColumn, ConnectedColumn };
  explicit SummaryPanel(GraphDocument* doc, QWidget* parent = nullptr);

  QTableWidget* table() const { return table_; }
  int rowOf(const QString& node) const;  // -1 if absent
  QString nodeAt(int row) const;
  QString cellText(const QString& node, Column column) const;
  long long totalParams() const { return total_; }
  long long trainableParams() const { return trainable_; }
  QString totalsText() const;

 public slots:
  void refresh();
  void selectNode(const QString& name);  // empty clears the selection

 signals:
  void nodeActivated(const QString& name);

 private:
  struct Params {
    long long trainable = 0, nonTrainable = 0;
    bool known = false;
  };
  struct Cached {
    std::vector<std::vector<long long>> inputs;  // the input shapes it was counted for
    Params params;
  };
  Params paramsOf(int nodeIndex);

  GraphDocument* doc_;
  QTableWidget* table_;
  QLabel* totals_;
  // Per layer; dropped when its config changes (nodeChanged) and checked against input shapes.
  QHash<QString, Cached> cache_;
  long long total_ = 0, trainable_ = 0;
  bool selecting_ = false;
};

}  // namespace tessel::ui
