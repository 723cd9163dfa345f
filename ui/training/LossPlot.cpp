#include "ui/training/LossPlot.h"

#include <qcustomplot.h>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace tessel {

namespace {

const QColor kPalette[] = {QColor(31, 119, 180), QColor(255, 127, 14),  QColor(44, 160, 44),
                           QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75)};

bool isValKey(const QString& key) {
  return key.startsWith(QLatin1String("val_"));
}
QString baseKey(const QString& key) {
  return isValKey(key) ? key.mid(4) : key;
}
bool isLossKey(const QString& key) {
  return baseKey(key).endsWith(QLatin1String("loss"));
}

}  // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  setMinimumSize(320, 200);

  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
  plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(tr("loss"));
  plot_->yAxis2->setLabel(tr("metric"));
  plot_->legend->setVisible(true);
  plot_->legend->setFont(QFont(font().family(), 8));
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

  batchRaw_ = plot_->addGraph();
  batchRaw_->setName(tr("batch loss"));
  batchRaw_->setPen(QPen(QColor(31, 119, 180, 70), 1));
  batchSmooth_ = plot_->addGraph();
  batchSmooth_->setName(tr("batch loss (smoothed)"));
  batchSmooth_->setPen(QPen(QColor(31, 119, 180), 2));
  colorIndex_ = 1;

  // Any user zoom/drag freezes the ranges; double click returns to automatic ranges.
  connect(plot_, &QCustomPlot::mousePress, this, [this] { autoRange_ = false; });
  connect(plot_, &QCustomPlot::mouseWheel, this, [this] { autoRange_ = false; });
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
    autoRange_ = true;
    autoRange();
    requestReplot();
  });
}

QVector<double> LossPlot::smooth(const QVector<double>& ys, double weight) {
  QVector<double> out;
  out.reserve(ys.size());
  double last = 0;
  int n = 0;
  for (double y : ys) {
    if (!std::isfinite(y)) {
      out.append(y);
      continue;
    }
    last = last * weight + (1 - weight) * y;
    ++n;
    double debias = weight == 0 ? 1.0 : 1.0 - std::pow(weight, n);
    out.append(last / debias);
  }
  return out;
}

void LossPlot::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.99);
  if (weight == smoothing_) return;
  smoothing_ = weight;
  rebuildSmoothed();
  requestReplot();
}

void LossPlot::setLogScale(bool on) {
  logScale_ = on;
  for (QCPAxis* axis : {plot_->yAxis, plot_->yAxis2}) {
    if (on) {
      axis->setScaleType(QCPAxis::stLogarithmic);
      axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
      axis->setScaleType(QCPAxis::stLinear);
      axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
  }
  requestReplot();
}

QVector<double> LossPlot::epochValues(const QString& key) const {
  return epochValues_.value(key);
}

void LossPlot::clear() {
  raw_.clear();
  steps_.clear();
  smoothLast_ = 0;
  smoothCount_ = 0;
  batchRaw_->data()->clear();
  batchSmooth_->data()->clear();
  for (QCPGraph* g : std::as_const(epochGraphs_)) plot_->removeGraph(g);
  epochGraphs_.clear();
  epochValues_.clear();
  colorIndex_ = 1;
  autoRange_ = true;
  plot_->yAxis2->setVisible(false);
  requestReplot();
}

void LossPlot::setStepsPerEpoch(int /*epochs*/, int stepsPerEpoch) {
  stepsPerEpoch_ = stepsPerEpoch;
}

void LossPlot::addBatchPoints(const QVector<QPointF>& points) {
  if (points.isEmpty()) return;
  QVector<double> xs, ys, ss;
  xs.reserve(points.size());
  ys.reserve(points.size());
  ss.reserve(points.size());
  for (const QPointF& p : points) {
    double y = p.y();
    xs.append(p.x());
    ys.append(y);
    steps_.append(p.x());
    raw_.append(y);
    if (std::isfinite(y)) {
      smoothLast_ = smoothLast_ * smoothing_ + (1 - smoothing_) * y;
      ++smoothCount_;
    }
    double debias = smoothing_ == 0 ? 1.0 : 1.0 - std::pow(smoothing_, smoothCount_);
    ss.append(smoothCount_ > 0 ? smoothLast_ / debias : y);
  }
  batchRaw_->addData(xs, ys, true);
  batchSmooth_->addData(xs, ss, true);
  requestReplot();
}

QCPGraph* LossPlot::graphFor(const QString& key) {
  if (QCPGraph* g = epochGraphs_.value(key, nullptr)) return g;
  // Train and val of the same quantity share a color; val is dashed.
  QColor color;
  if (QCPGraph* partner = epochGraphs_.value(isValKey(key) ? baseKey(key) : "val_" + key, nullptr))
    color = partner->pen().color();
  else if (baseKey(key) == QLatin1String("loss"))
    color = QColor(20, 20, 20);
  else
    color = kPalette[colorIndex_++ % std::size(kPalette)];
  bool loss = isLossKey(key);
  QCPGraph* g = plot_->addGraph(plot_->xAxis, loss ? plot_->yAxis : plot_->yAxis2);
  if (!loss) {
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setScaleType(plot_->yAxis->scaleType());
    plot_->yAxis2->setTicker(plot_->yAxis->ticker());
  }
  g->setName(key);
  QPen pen(color, 2);
  if (isValKey(key)) pen.setStyle(Qt::DashLine);
  g->setPen(pen);
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
  epochGraphs_.insert(key, g);
  return g;
}

void LossPlot::addEpoch(int epoch, const QVariantMap& logs) {
  // Epoch values sit where the epoch ends on the step axis.
  double x = stepsPerEpoch_ > 0 ? static_cast<double>(epoch + 1) * stepsPerEpoch_ : epoch + 1;
  for (auto it = logs.cbegin(); it != logs.cend(); ++it) {
    bool ok = false;
    double v = it.value().toDouble(&ok);
    if (!ok) continue;
    epochValues_[it.key()].append(v);
    graphFor(it.key())->addData(x, v);
  }
  requestReplot();
}

void LossPlot::rebuildSmoothed() {
  QVector<double> s = smooth(raw_, smoothing_);
  batchSmooth_->setData(steps_, s, true);
  smoothLast_ = 0;
  smoothCount_ = 0;
  for (double y : raw_)
    if (std::isfinite(y)) {
      smoothLast_ = smoothLast_ * smoothing_ + (1 - smoothing_) * y;
      ++smoothCount_;
    }
}

void LossPlot::autoRange() {
  if (!autoRange_) return;
  bool found = false;
  QCPRange x = batchRaw_->data()->keyRange(found);
  if (!found) x = QCPRange(0, 1);
  for (QCPGraph* g : std::as_const(epochGraphs_)) {
    bool f = false;
    QCPRange r = g->data()->keyRange(f);
    if (f) x.expand(r);
  }
  if (x.size() <= 0) x = QCPRange(x.lower - 0.5, x.upper + 0.5);
  plot_->xAxis->setRange(x);
  QCP::SignDomain domain = logScale_ ? QCP::sdPositive : QCP::sdBoth;
  for (QCPAxis* axis : {plot_->yAxis, plot_->yAxis2}) {
    bool any = false;
    QCPRange y;
    for (QCPAbstractPlottable* p : axis->plottables()) {
      auto* g = qobject_cast<QCPGraph*>(p);
      if (!g) continue;
      bool f = false;
      QCPRange r = g->data()->valueRange(f, domain);
      if (!f) continue;
      if (!any)
        y = r;
      else
        y.expand(r);
      any = true;
    }
    if (!any) continue;
    if (logScale_) {
      y.lower /= 1.5;
      y.upper *= 1.5;
    } else {
      double pad = y.size() > 0 ? 0.05 * y.size() : std::max(1e-3, 0.05 * std::abs(y.upper));
      y.lower -= pad;
      y.upper += pad;
    }
    axis->setRange(y);
  }
}

// Coalesced: many additions in one event-loop pass cost one range update and one replot.
void LossPlot::requestReplot() {
  if (updatePending_) return;
  updatePending_ = true;
  QTimer::singleShot(0, this, [this] {
    updatePending_ = false;
    // Markers only while they can be told apart.
    int epochs = epochValues_.isEmpty() ? 0 : static_cast<int>(epochValues_.begin()->size());
    QCPScatterStyle marker(epochs > 60 ? QCPScatterStyle::ssNone : QCPScatterStyle::ssCircle, 5);
    for (QCPGraph* g : std::as_const(epochGraphs_)) g->setScatterStyle(marker);
    autoRange();
    plot_->replot(QCustomPlot::rpQueuedReplot);
  });
}

bool LossPlot::savePng(const QString& path, int width, int height) {
  autoRange();
  plot_->replot();
  return plot_->savePng(path, width, height);
}

bool LossPlot::savePdf(const QString& path, int width, int height) {
  autoRange();
  plot_->replot();
  return plot_->savePdf(path, width, height);
}

}  // namespace tessel
