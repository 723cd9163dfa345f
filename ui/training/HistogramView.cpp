#include "ui/training/HistogramView.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QLabel>
#include <QVBoxLayout>

namespace tessel::ui {

namespace {

QCustomPlot* makePlot(QWidget* parent, const QString& label, const QColor& color) {
  auto* p = new QCustomPlot(parent);
  auto* bars = new QCPBars(p->xAxis, p->yAxis);
  bars->setPen(QPen(color.darker(130)));
  bars->setBrush(color);
  p->xAxis->setLabel(label);
  p->yAxis->setLabel(QObject::tr("count"));
  p->setMinimumHeight(120);
  return p;
}

void fill(QCustomPlot* p, double lo, double hi, const QVector<double>& counts) {
  auto* bars = qobject_cast<QCPBars*>(p->plottable(0));
  if (!bars) return;
  QVector<double> xs;
  int n = static_cast<int>(counts.size());
  double w = n > 0 && hi > lo ? (hi - lo) / n : 1.0;
  for (int i = 0; i < n; ++i) xs.append(lo + (i + 0.5) * w);
  bars->setWidth(w);
  bars->setData(xs, counts, true);
  p->rescaleAxes();
  p->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace

HistogramView::HistogramView(QWidget* parent) : QWidget(parent) {
  choose_ = new QComboBox(this);
  choose_->setObjectName("histogramWeightBox");
  title_ = new QLabel(tr("Histograms appear at the end of the first epoch"), this);
  title_->setObjectName("histogramTitle");
  weights_ = makePlot(this, tr("weight value"), QColor(31, 119, 180, 160));
  grads_ = makePlot(this, tr("gradient value (last batch of the epoch)"), QColor(214, 39, 40, 160));
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Weight"), this));
  top->addWidget(choose_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(title_);
  layout->addWidget(weights_, 1);
  layout->addWidget(grads_, 1);
  connect(choose_, &QComboBox::currentIndexChanged, this, &HistogramView::showCurrent);
}

void HistogramView::setHistograms(int epoch, const QVector<LayerHistogram>& histograms) {
  epoch_ = epoch;
  QString current = choose_->currentText();
  bool same = histograms.size() == data_.size();
  for (int i = 0; same && i < histograms.size(); ++i)
    same = histograms[i].weight == data_[i].weight;
  data_ = histograms;
  if (!same) {
    QSignalBlocker block(choose_);
    choose_->clear();
    for (const LayerHistogram& h : data_) choose_->addItem(h.weight);
    int idx = choose_->findText(current);
    choose_->setCurrentIndex(idx >= 0 ? idx : 0);
  }
  showCurrent();
}

void HistogramView::clear() {
  data_.clear();
  epoch_ = -1;
  choose_->clear();
  for (QCustomPlot* p : {weights_, grads_}) {
    if (auto* bars = qobject_cast<QCPBars*>(p->plottable(0))) bars->data()->clear();
    p->replot(QCustomPlot::rpQueuedReplot);
  }
}

void HistogramView::showCurrent() {
  int i = choose_->currentIndex();
  if (i < 0 || i >= data_.size()) return;
  const LayerHistogram& h = data_[i];
  title_->setText(tr("%1 at the end of epoch %2: weights in [%3, %4], gradients in [%5, %6]")
                      .arg(h.weight)
                      .arg(epoch_ + 1)
                      .arg(h.weightMin, 0, 'g', 4)
                      .arg(h.weightMax, 0, 'g', 4)
                      .arg(h.gradMin, 0, 'g', 4)
                      .arg(h.gradMax, 0, 'g', 4));
  fill(weights_, h.weightMin, h.weightMax, h.weightCounts);
  fill(grads_, h.gradMin, h.gradMax, h.gradCounts);
}

}  // namespace tessel::ui
