#pragma once
// Loss curves of a training run on one QCustomPlot, x in global steps: the per-batch running
// loss (raw, faint) with a TensorBoard-style smoothed copy, and per-epoch train / val curves for
// the loss and every metric key seen (placed at the step where the epoch ends; metrics on the
// right axis). Mouse drag / wheel zoom; double click returns to automatic ranges. Event markers
// (best epoch, checkpoint, LR change, early stop, pause/resume, NaN) are drawn as labelled
// vertical lines whose labels are stacked in rows so that they never overlap (a label with no
// room is hidden and named by the hover readout); the hover readout shows the nearest curve
// point (epoch, value). The legend sits right of the axes; clicking an entry hides its curve.
// With setOutputFilter("out") the plot shows only the keys of that output of a multi-output
// model ("out_loss", "val_out_loss", "out_accuracy", ...) and no batch curve.
#include <QHash>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QVariantMap>
#include <QVector>
#include <QWidget>
#include <vector>

#include "ui/training/TrainingTypes.h"

class QCustomPlot;
class QCPGraph;
class QMouseEvent;
class QCPItemText;
class QCPItemStraightLine;

namespace tessel::ui {

class LossPlot : public QWidget {
  Q_OBJECT
 public:
  explicit LossPlot(QWidget* parent = nullptr);

  QCustomPlot* customPlot() const { return plot_; }
  // 0 = raw; up to 0.99. TensorBoard: s_t = w s_{t-1} + (1 - w) v_t, debiased by 1 - w^t.
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }
  void setLogScale(bool on);
  bool logScale() const { return logScale_; }

  int batchPointCount() const { return static_cast<int>(raw_.size()); }
  // Per-epoch values of `key` ("loss", "val_loss", "mae", ...), in epoch order.
  QVector<double> epochValues(const QString& key) const;
  QCPGraph* epochGraph(const QString& key) const { return epochGraphs_.value(key, nullptr); }
  QCPGraph* batchGraph() const { return batchRaw_; }
  QCPGraph* smoothedGraph() const { return batchSmooth_; }

  bool savePng(const QString& path, int width = 0, int height = 0);
  bool savePdf(const QString& path, int width = 0, int height = 0);
  bool saveSvg(const QString& path, int width = 0, int height = 0);
  // By suffix: .png, .pdf or .svg.
  bool saveImage(const QString& path, int width = 0, int height = 0);

  void setOutputFilter(const QString& outputName);
  QString outputFilter() const { return outputFilter_; }
  int eventMarkerCount() const { return static_cast<int>(markers_.size()); }
  QStringList eventMarkerKinds() const;
  // Readout for a point in widget pixels of customPlot() ("epoch 3 - val_loss: 0.4321"); empty
  // when no curve point is near.
  QString readoutAt(const QPoint& pixel) const;
  QString hoverText() const { return hoverText_; }
  // Marker label rectangles in customPlot() pixels, in marker order (empty rect: hidden).
  QList<QRectF> markerLabelRects() const;
  // Curves by legend name ("loss", "val_loss", "batch loss", ...).
  void setSeriesVisible(const QString& name, bool visible);
  bool seriesVisible(const QString& name) const;

  // TensorBoard smoothing of ys (exposed for tests).
  static QVector<double> smooth(const QVector<double>& ys, double weight);

 public slots:
  void clear();
  void setStepsPerEpoch(int epochs, int stepsPerEpoch);
  void addBatchPoints(const QVector<QPointF>& points);
  void addEpoch(int epoch, const QVariantMap& logs);
  void addEpochs(const QVector<int>& epochs, const QVector<QVariantMap>& logs);
  void addEvents(const QVector<tessel::ui::TrainingEvent>& events);

 private:
  QCPGraph* graphFor(const QString& key);
  void rebuildSmoothed();
  void autoRange();
  void requestReplot();
  bool acceptsKey(const QString& key) const;
  void appendEpoch(int epoch, const QVariantMap& logs);
  void onHover(QMouseEvent* event);
  void placeLegendOutside();
  void layoutMarkerLabels();
  QFont markerFont() const;

  QCustomPlot* plot_;
  QCPGraph* batchRaw_;
  QCPGraph* batchSmooth_;
  QHash<QString, QCPGraph*> epochGraphs_;
  QHash<QString, QVector<double>> epochValues_;
  QVector<double> raw_;    // batch losses
  QVector<double> steps_;  // their steps
  double smoothing_ = 0.6;
  double smoothLast_ = 0;  // running (biased) EMA state of the appended points
  int smoothCount_ = 0;
  bool logScale_ = false;
  bool autoRange_ = true;
  bool updatePending_ = false;
  int stepsPerEpoch_ = 0;
  int colorIndex_ = 0;
  // Batch points kept at most; past it every other point is dropped and later points are
  // thinned by the doubled stride (a toy model can report ~500k batches per second).
  static constexpr int kMaxBatchPoints = 100000;
  qint64 batchStride_ = 1, batchCounter_ = 0;
  QString outputFilter_;
  QString hoverText_;
  QCPItemText* hoverLabel_ = nullptr;
  struct Marker {
    TrainingEvent event;
    QCPItemStraightLine* line;
    QCPItemText* label;
  };
  std::vector<Marker> markers_;
};

}  // namespace tessel::ui
