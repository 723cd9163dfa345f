#pragma once
// Weight and gradient histograms per layer at epoch end: a layer/weight chooser and two bar
// plots (weights, gradients of the epoch's last batch). Fed by TrainingController::histograms.
#include <QVector>
#include <QWidget>

#include "ui/training/TrainingTypes.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace tessel::ui {

class HistogramView : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramView(QWidget* parent = nullptr);
  QComboBox* weightBox() const { return choose_; }
  QCustomPlot* weightPlot() const { return weights_; }
  QCustomPlot* gradientPlot() const { return grads_; }
  int epoch() const { return epoch_; }
  const QVector<LayerHistogram>& histograms() const { return data_; }

 public slots:
  void setHistograms(int epoch, const QVector<tessel::ui::LayerHistogram>& histograms);
  void clear();

 private:
  void showCurrent();
  QComboBox* choose_;
  QLabel* title_;
  QCustomPlot* weights_;
  QCustomPlot* grads_;
  QVector<LayerHistogram> data_;
  int epoch_ = -1;
};

}  // namespace tessel::ui
