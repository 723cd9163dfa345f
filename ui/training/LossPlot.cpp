#include "ui/training/LossPlot.h"

#include <qcustomplot.h>
#include <QFileInfo>
#include <QMap>
#include <QSvgGenerator>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace tessel::ui {

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

QColor eventColor(const QString& kind) {
  if (kind == QLatin1String("best_epoch")) return QColor(0, 150, 60);
  if (kind == QLatin1String("checkpoint")) return QColor(30, 100, 200);
  if (kind == QLatin1String("lr_change") || kind == QLatin1String("optimizer_change") ||
      kind == QLatin1String("fine_tune"))
    return QColor(200, 120, 0);
  if (kind == QLatin1String("early_stop") || kind == QLatin1String("stop"))
    return QColor(150, 0, 150);
  if (kind == QLatin1String("nan")) return QColor(220, 0, 0);
  return QColor(120, 120, 120);  // pause, resume
}

QString eventLabel(const TrainingEvent& e) {
  if (e.kind == QLatin1String("best_epoch"))
    return QStringLiteral("best (epoch %1)").arg(e.epoch + 1);
  if (e.kind == QLatin1String("lr_change"))
    return QStringLiteral("lr %1").arg(e.payload.value("to").toDouble(), 0, 'g', 3);
  if (e.kind == QLatin1String("optimizer_change")) return QStringLiteral("optimizer");
  if (e.kind == QLatin1String("early_stop")) return QStringLiteral("early stop");
  if (e.kind == QLatin1String("checkpoint")) return QStringLiteral("checkpoint");
  if (e.kind == QLatin1String("nan")) return QStringLiteral("NaN");
  if (e.kind == QLatin1String("fine_tune"))  // engine/session/FineTuneRecipe.h, phase 2 starts
    return QStringLiteral("fine-tune: last %1 layers, lr %2")
        .arg(e.payload.value("unfreeze_last").toInt())
        .arg(e.payload.value("learning_rate").toDouble(), 0, 'g', 3);
  return e.kind;
}

// Markers kept at most (the best-epoch marker moves instead of adding).
constexpr int kMaxMarkers = 200;

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
  placeLegendOutside();

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
  hoverLabel_ = new QCPItemText(plot_);
  hoverLabel_->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
  hoverLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
  hoverLabel_->position->setCoords(0.01, 0.01);
  hoverLabel_->setBrush(QBrush(QColor(255, 255, 255, 220)));
  hoverLabel_->setPadding(QMargins(3, 2, 3, 2));
  hoverLabel_->setClipToAxisRect(true);
  hoverLabel_->setVisible(false);
  connect(plot_, &QCustomPlot::mouseMove, this, &LossPlot::onHover);
  connect(plot_, &QCustomPlot::afterLayout, this, &LossPlot::layoutMarkerLabels);
  // A click on a legend item hides or shows its curve.
  connect(plot_, &QCustomPlot::legendClick, this,
          [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
            if (auto* entry = qobject_cast<QCPPlottableLegendItem*>(item))
              setSeriesVisible(entry->plottable()->name(), !entry->plottable()->visible());
          });
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
    autoRange_ = true;
    autoRange();
    requestReplot();
  });
}

// The legend in its own column right of the axes, at the top, so it never covers a curve.
void LossPlot::placeLegendOutside() {
  plot_->legend->setVisible(true);
  plot_->legend->setFont(QFont(font().family(), 8));
  plot_->legend->setIconSize(16, 8);
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  auto* side = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(0, 1, side);
  plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
  side->addElement(0, 0, plot_->legend);
  side->addElement(1, 0, new QCPLayoutElement(plot_));  // the room below the legend
  side->setRowStretchFactor(0, 0.001);
  side->setMargins(QMargins(0, 6, 6, 6));
}

void LossPlot::setSeriesVisible(const QString& name, bool visible) {
  for (int i = 0; i < plot_->graphCount(); ++i) {
    QCPGraph* g = plot_->graph(i);
    if (g->name() != name) continue;
    g->setVisible(visible);
    if (auto* entry = plot_->legend->itemWithPlottable(g))
      entry->setTextColor(visible ? QColor(Qt::black) : QColor(160, 160, 160));
  }
  requestReplot();
}

bool LossPlot::seriesVisible(const QString& name) const {
  for (int i = 0; i < plot_->graphCount(); ++i)
    if (plot_->graph(i)->name() == name) return plot_->graph(i)->visible();
  return false;
}

// Marker labels in rows at the top of the axes: each label takes the first row where it does
// not touch a label to its left; a label with no free row is hidden (the hover readout names
// the marker). Runs after every layout, so zooming and resizing re-stack the labels.
void LossPlot::layoutMarkerLabels() {
  const QRect area = plot_->axisRect()->rect();
  if (area.height() <= 0 || markers_.empty()) return;
  const QFontMetrics fm(markerFont());
  const double rowHeight = fm.height() + 4;
  const int rows = std::max(1, static_cast<int>(area.height() * 0.45 / rowHeight));
  std::vector<Marker*> order;
  for (Marker& m : markers_) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const Marker* a, const Marker* b) {
    return a->line->point1->coords().x() < b->line->point1->coords().x();
  });
  std::vector<double> rowEnd(rows, -1e300);
  constexpr double kGap = 4;
  for (Marker* m : order) {
    const double x = m->line->point1->coords().x();
    const double px = plot_->xAxis->coordToPixel(x);
    const double width = fm.horizontalAdvance(m->label->text()) + 8;
    // Labels near the right edge hang to the left of their line.
    const bool left = px + width > area.right();
    const double start = left ? px - width : px, end = left ? px : px + width;
    int row = 0;
    while (row < rows && rowEnd[row] + kGap > start) ++row;
    const bool shown = px >= area.left() && px <= area.right() && row < rows;
    m->label->setVisible(shown);
    if (!shown) continue;
    rowEnd[row] = end;
    m->label->setPositionAlignment(Qt::AlignTop | (left ? Qt::AlignRight : Qt::AlignLeft));
    m->label->position->setCoords(x, (2 + row * rowHeight) / area.height());
  }
}

QFont LossPlot::markerFont() const {
  return QFont(font().family(), 7);
}

QList<QRectF> LossPlot::markerLabelRects() const {
  QList<QRectF> rects;
  for (const Marker& m : markers_)
    rects << (m.label->visible()
                  ? QRectF(m.label->topLeft->pixelPosition(), m.label->bottomRight->pixelPosition())
                  : QRectF());
  return rects;
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
  batchStride_ = 1;
  batchCounter_ = 0;
  smoothLast_ = 0;
  smoothCount_ = 0;
  batchRaw_->data()->clear();
  batchSmooth_->data()->clear();
  for (QCPGraph* g : std::as_const(epochGraphs_)) plot_->removeGraph(g);
  epochGraphs_.clear();
  epochValues_.clear();
  colorIndex_ = 1;
  autoRange_ = true;
  for (Marker& m : markers_) {
    plot_->removeItem(m.line);
    plot_->removeItem(m.label);
  }
  markers_.clear();
  hoverText_.clear();
  hoverLabel_->setVisible(false);
  plot_->yAxis2->setVisible(false);
  requestReplot();
}

void LossPlot::setStepsPerEpoch(int /*epochs*/, int stepsPerEpoch) {
  stepsPerEpoch_ = stepsPerEpoch;
}

void LossPlot::addBatchPoints(const QVector<QPointF>& points) {
  if (points.isEmpty() || !outputFilter_.isEmpty()) return;
  QVector<double> xs, ys, ss;
  xs.reserve(points.size());
  ys.reserve(points.size());
  ss.reserve(points.size());
  for (const QPointF& p : points) {
    if (batchCounter_++ % batchStride_ != 0) continue;
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
  if (raw_.size() > kMaxBatchPoints) {
    QVector<double> r, st;
    r.reserve(raw_.size() / 2 + 1);
    st.reserve(raw_.size() / 2 + 1);
    for (int i = 0; i < raw_.size(); i += 2) {
      r.append(raw_[i]);
      st.append(steps_[i]);
    }
    raw_.swap(r);
    steps_.swap(st);
    batchStride_ *= 2;
    batchRaw_->setData(steps_, raw_, true);
    rebuildSmoothed();
  }
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
  appendEpoch(epoch, logs);
  requestReplot();
}

void LossPlot::addEpochs(const QVector<int>& epochs, const QVector<QVariantMap>& logs) {
  if (epochs.size() <= 1) {
    for (int i = 0; i < epochs.size() && i < logs.size(); ++i) appendEpoch(epochs[i], logs[i]);
    requestReplot();
    return;
  }
  // One sorted bulk insertion per key (a drain may carry thousands of epochs).
  QMap<QString, QPair<QVector<double>, QVector<double>>> bulk;  // sorted: stable legend order
  for (int i = 0; i < epochs.size() && i < logs.size(); ++i) {
    double x =
        stepsPerEpoch_ > 0 ? static_cast<double>(epochs[i] + 1) * stepsPerEpoch_ : epochs[i] + 1;
    for (auto it = logs[i].cbegin(); it != logs[i].cend(); ++it) {
      if (!acceptsKey(it.key())) continue;
      bool ok = false;
      double v = it.value().toDouble(&ok);
      if (!ok) continue;
      auto& b = bulk[it.key()];
      b.first.append(x);
      b.second.append(v);
    }
  }
  for (auto it = bulk.cbegin(); it != bulk.cend(); ++it) {
    epochValues_[it.key()].append(it.value().second);
    graphFor(it.key())->addData(it.value().first, it.value().second, true);
  }
  requestReplot();
}

bool LossPlot::acceptsKey(const QString& key) const {
  if (outputFilter_.isEmpty()) return true;
  return baseKey(key).startsWith(outputFilter_ + QLatin1Char('_'));
}

void LossPlot::setOutputFilter(const QString& outputName) {
  outputFilter_ = outputName;
  batchRaw_->setVisible(outputName.isEmpty());
  batchSmooth_->setVisible(outputName.isEmpty());
  batchRaw_->removeFromLegend();
  batchSmooth_->removeFromLegend();
  if (outputName.isEmpty()) {
    batchRaw_->addToLegend();
    batchSmooth_->addToLegend();
  }
  requestReplot();
}

void LossPlot::appendEpoch(int epoch, const QVariantMap& logs) {
  // Epoch values sit where the epoch ends on the step axis.
  double x = stepsPerEpoch_ > 0 ? static_cast<double>(epoch + 1) * stepsPerEpoch_ : epoch + 1;
  for (auto it = logs.cbegin(); it != logs.cend(); ++it) {
    if (!acceptsKey(it.key())) continue;
    bool ok = false;
    double v = it.value().toDouble(&ok);
    if (!ok) continue;
    epochValues_[it.key()].append(v);
    graphFor(it.key())->addData(x, v);
  }
}

void LossPlot::addEvents(const QVector<TrainingEvent>& events) {
  for (const TrainingEvent& e : events) {
    // Markers sit at the step where the event happened (epoch end for epoch events).
    double x = e.step > 0
                   ? static_cast<double>(e.step)
                   : (stepsPerEpoch_ > 0 ? static_cast<double>(e.epoch) * stepsPerEpoch_ : e.epoch);
    Marker* m = nullptr;
    if (e.kind == QLatin1String("best_epoch"))
      for (Marker& old : markers_)
        if (old.event.kind == e.kind) m = &old;
    if (!m) {
      if (static_cast<int>(markers_.size()) >= kMaxMarkers) {
        // Drop the oldest marker that is not the best epoch.
        auto it = std::find_if(markers_.begin(), markers_.end(), [](const Marker& k) {
          return k.event.kind != QLatin1String("best_epoch");
        });
        if (it == markers_.end()) continue;
        plot_->removeItem(it->line);
        plot_->removeItem(it->label);
        markers_.erase(it);
      }
      Marker nm;
      nm.line = new QCPItemStraightLine(plot_);
      nm.label = new QCPItemText(plot_);
      nm.label->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
      nm.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
      nm.label->setFont(markerFont());
      nm.label->setPadding(QMargins(2, 1, 2, 1));
      nm.label->setBrush(QBrush(QColor(255, 255, 255, 200)));
      nm.label->setClipToAxisRect(true);
      markers_.push_back(nm);
      m = &markers_.back();
    }
    m->event = e;
    QColor c = eventColor(e.kind);
    QPen pen(c, 1, e.kind == QLatin1String("best_epoch") ? Qt::SolidLine : Qt::DashLine);
    m->line->setPen(pen);
    m->line->point1->setCoords(x, 0);
    m->line->point2->setCoords(x, 1);
    m->label->setColor(c);
    m->label->setText(eventLabel(e));
    m->label->position->setCoords(x, 0);  // the row: layoutMarkerLabels()
  }
  requestReplot();
}

QStringList LossPlot::eventMarkerKinds() const {
  QStringList kinds;
  for (const Marker& m : markers_) kinds << m.event.kind;
  return kinds;
}

QString LossPlot::readoutAt(const QPoint& pixel) const {
  double bestDist = 20.0;  // pixels
  QString text;
  auto consider = [&](QCPGraph* g, bool epochGraph) {
    if (!g->visible() || g->data()->isEmpty()) return;
    double key = g->keyAxis()->pixelToCoord(pixel.x());
    auto it = g->data()->findBegin(key, true);
    for (int k = 0; k < 2 && it != g->data()->constEnd(); ++k, ++it) {
      double px = g->keyAxis()->coordToPixel(it->key);
      double py = g->valueAxis()->coordToPixel(it->value);
      double d = std::hypot(px - pixel.x(), py - pixel.y());
      if (d < bestDist) {
        bestDist = d;
        if (epochGraph) {
          int epoch = stepsPerEpoch_ > 0 ? static_cast<int>(std::lround(it->key / stepsPerEpoch_))
                                         : static_cast<int>(std::lround(it->key));
          text = QStringLiteral("epoch %1 - %2: %3")
                     .arg(epoch)
                     .arg(g->name())
                     .arg(it->value, 0, 'g', 5);
        } else {
          text = QStringLiteral("step %1 - %2: %3")
                     .arg(static_cast<qint64>(it->key))
                     .arg(g->name())
                     .arg(it->value, 0, 'g', 5);
        }
      }
    }
  };
  for (QCPGraph* g : epochGraphs_) consider(g, true);
  if (text.isEmpty()) {
    consider(batchSmooth_, false);
    consider(batchRaw_, false);
  }
  // Markers within a few pixels (their label may be hidden for lack of room).
  QStringList near;
  for (const Marker& m : markers_)
    if (std::abs(plot_->xAxis->coordToPixel(m.line->point1->coords().x()) - pixel.x()) <= 4)
      near << m.label->text();
  if (!near.isEmpty())
    text += (text.isEmpty() ? QString() : QStringLiteral(" - ")) + near.join(QStringLiteral(", "));
  return text;
}

void LossPlot::onHover(QMouseEvent* event) {
  QString text = readoutAt(event->pos());
  if (text == hoverText_) return;
  hoverText_ = text;
  hoverLabel_->setText(text);
  hoverLabel_->setVisible(!text.isEmpty());
  plot_->replot(QCustomPlot::rpQueuedReplot);
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

bool LossPlot::saveSvg(const QString& path, int width, int height) {
  autoRange();
  plot_->replot();
  int w = width > 0 ? width : plot_->width();
  int h = height > 0 ? height : plot_->height();
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(QSize(w, h));
  svg.setViewBox(QRect(0, 0, w, h));
  svg.setTitle(QStringLiteral("Tessel training curves"));
  QCPPainter painter;
  if (!painter.begin(&svg)) return false;
  plot_->toPainter(&painter, w, h);
  painter.end();
  return QFileInfo(path).size() > 0;
}

bool LossPlot::saveImage(const QString& path, int width, int height) {
  QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("pdf")) return savePdf(path, width, height);
  if (suffix == QLatin1String("svg")) return saveSvg(path, width, height);
  return savePng(path, width, height);
}

}  // namespace tessel::ui
