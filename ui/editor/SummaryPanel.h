#pragma once
// Keras's model.summary() as a live table: Layer (type), Output Shape, Param #, Connected to,
// one row per layer, producers before consumers as Keras lists them (columns sized to their
// contents, elided in the middle with the whole text as tooltip), then Total / Trainable /
// Non-trainable params. It follows the
// document (every change re-validates); rows follow nodes by id (a renamed layer keeps its row
// selected); selecting a row emits nodeActivated(id), and selectNode() selects the row without
// emitting.
#include <QHash>
#include <QWidget>
#include <vector>

#include "ui/editor/NodeId.h"

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
  int rowOf(NodeId node) const;  // -1 if absent
  int rowOf(const QString& name) const;
  NodeId nodeAt(int row) const;
  QString cellText(const QString& node, Column column) const;
  long long totalParams() const { return total_; }
  long long trainableParams() const { return trainable_; }
  QString totalsText() const;

 public slots:
  void refresh();
  void selectNode(tessel::ui::NodeId id);  // kInvalidNodeId clears the selection
  void selectNode(const QString& name);    // empty clears the selection

 signals:
  void nodeActivated(tessel::ui::NodeId id);

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
  QHash<NodeId, Cached> cache_;
  long long total_ = 0, trainable_ = 0;
  bool selecting_ = false;
};

}  // namespace tessel::ui
