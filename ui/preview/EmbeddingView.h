#pragma once
// PCA or t-SNE (engine/explain) of a chosen layer's outputs on a sample of the validation set,
// one coloured scatter series per class (QCustomPlot). Hovering a point shows its image,
// clicking one emits pointClicked(validation row). Computed on the thread pool with a weight
// snapshot.
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/tensor/Tensor.h"

class QCustomPlot;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace tessel::ui {

class PreviewDriver;

class EmbeddingView : public QWidget {
  Q_OBJECT
 public:
  explicit EmbeddingView(PreviewDriver* driver, QWidget* parent = nullptr);

  void setModel(const ModelSpec& spec);  // fills the layer list (the last hidden layer chosen)
  void setWeights(const std::vector<Tensor>& weights);
  void clear();    // forgets the model, the points and any computation on its way
  void compute();  // what the Compute button does
  bool isBusy() const { return busy_; }

  int pointCount() const { return static_cast<int>(rows_.size()); }
  Index pointRow(int i) const { return rows_[static_cast<size_t>(i)]; }  // validation row
  QPointF pointCoords(int i) const;                                      // embedding coordinates
  QPoint pointPosition(int i) const;         // in plot widget coordinates
  int pointAt(const QPoint& plotPos) const;  // -1 when no point within a few pixels

  QComboBox* layerBox() const { return layer_; }
  QComboBox* methodBox() const { return method_; }
  QSpinBox* sampleBox() const { return sample_; }
  QPushButton* computeButton() const { return compute_; }
  QCustomPlot* plot() const { return plot_; }
  QLabel* hoverLabel() const { return hover_; }
  QString message() const;

 signals:
  void pointClicked(Index validationRow);
  void computed();

 protected:
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void showPoints(const std::vector<double>& xy, const std::vector<Index>& rows);

  PreviewDriver* driver_;
  std::shared_ptr<const ModelSpec> spec_;
  std::shared_ptr<const std::vector<Tensor>> weights_;
  std::vector<Index> rows_;
  std::vector<double> xy_;
  std::vector<int> classes_;
  bool busy_ = false;
  int generation_ = 0;
  QComboBox* layer_;
  QComboBox* method_;
  QSpinBox* sample_;
  QPushButton* compute_;
  QLabel* message_;
  QCustomPlot* plot_;
  QLabel* hover_;
};

}  // namespace tessel::ui
