#include "ui/search/ParallelCoordinatesPlot.h"

#include <qcustomplot.h>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace tessel::ui {

namespace {

// Blue (0, best) to red (1, worst) through purple.
QColor colourAt(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return QColor::fromRgbF(0.15 + 0.75 * t, 0.3 * (1 - t) + 0.1, 0.85 * (1 - t) + 0.1);
}

}  // namespace

ParallelCoordinatesPlot::ParallelCoordinatesPlot(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->setMinimumSize(360, 220);
  plot_->yAxis->setRange(-0.08, 1.08);
  plot_->yAxis->setVisible(false);
  plot_->xAxis->grid()->setVisible(false);
  plot_->yAxis->grid()->setVisible(false);
  plot_->installEventFilter(this);
}

void ParallelCoordinatesPlot::setData(const QStringList& axes, const QStringList& low,
                                      const QStringList& high, const QVector<QVector<double>>& rows,
                                      const QVector<double>& colour) {
  axes_ = axes;
  rows_ = rows;
  colour_ = colour;
  for (auto it = brushes_.begin(); it != brushes_.end();)
    it = it->first >= axes.size() ? brushes_.erase(it) : std::next(it);
  plot_->clearItems();
  // Axis ticks: the names along the bottom.
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < axes.size(); ++i) ticker->addTick(i, axes[i]);
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setRange(-0.4, std::max<int>(1, axes.size()) - 0.6);
  for (int i = 0; i < axes.size(); ++i) {
    auto* line = new QCPItemLine(plot_);
    line->start->setCoords(i, 0);
    line->end->setCoords(i, 1);
    line->setPen(QPen(Qt::black, 1.5));
    auto label = [&](double y, const QString& text, Qt::Alignment align) {
      auto* t = new QCPItemText(plot_);
      t->position->setCoords(i, y);
      t->setPositionAlignment(align | Qt::AlignHCenter);
      t->setText(text);
      t->setFont(QFont(font().family(), 8));
    };
    if (i < low.size()) label(-0.01, low[i], Qt::AlignTop);
    if (i < high.size()) label(1.01, high[i], Qt::AlignBottom);
  }
  redraw();
}

QVector<bool> ParallelCoordinatesPlot::visibleRows() const {
  QVector<bool> out(rows_.size(), true);
  for (int r = 0; r < rows_.size(); ++r)
    for (const auto& [axis, range] : brushes_)
      if (axis < rows_[r].size()) {
        double v = rows_[r][axis];
        if (v < range.first || v > range.second) out[r] = false;
      }
  return out;
}

void ParallelCoordinatesPlot::setBrush(int axis, double lo, double hi) {
  if (lo > hi) std::swap(lo, hi);
  brushes_[axis] = {lo, hi};
  redraw();
  emit brushed(axis, lo, hi);
}

void ParallelCoordinatesPlot::clearBrush(int axis) {
  if (brushes_.erase(axis)) {
    redraw();
    emit brushCleared(axis);
  }
}

QPoint ParallelCoordinatesPlot::pixelOf(int axis, double value) const {
  return QPoint(static_cast<int>(std::lround(plot_->xAxis->coordToPixel(axis))),
                static_cast<int>(std::lround(plot_->yAxis->coordToPixel(value))));
}

int ParallelCoordinatesPlot::axisAt(double x) const {
  int axis = static_cast<int>(std::lround(x));
  if (axis < 0 || axis >= axes_.size() || std::abs(x - axis) > 0.25) return -1;
  return axis;
}

bool ParallelCoordinatesPlot::eventFilter(QObject* watched, QEvent* event) {
  if (watched != plot_) return QWidget::eventFilter(watched, event);
  auto* me = dynamic_cast<QMouseEvent*>(event);
  if (!me) return false;
  const double x = plot_->xAxis->pixelToCoord(me->position().x());
  const double y = std::clamp(plot_->yAxis->pixelToCoord(me->position().y()), 0.0, 1.0);
  if (event->type() == QEvent::MouseButtonPress && me->button() == Qt::LeftButton) {
    dragAxis_ = axisAt(x);
    dragStart_ = y;
    dragMoved_ = false;
    return dragAxis_ >= 0;
  }
  if (event->type() == QEvent::MouseMove && dragAxis_ >= 0) {
    if (std::abs(y - dragStart_) > 0.01) {
      dragMoved_ = true;
      brushes_[dragAxis_] = {std::min(y, dragStart_), std::max(y, dragStart_)};
      redraw();
    }
    return true;
  }
  if (event->type() == QEvent::MouseButtonRelease && dragAxis_ >= 0) {
    const int axis = dragAxis_;
    dragAxis_ = -1;
    if (dragMoved_ || std::abs(y - dragStart_) > 0.01)
      setBrush(axis, std::min(y, dragStart_), std::max(y, dragStart_));
    else
      clearBrush(axis);
    return true;
  }
  return false;
}

void ParallelCoordinatesPlot::redraw() {
  plot_->clearPlottables();
  const QVector<bool> visible = visibleRows();
  // Grey (filtered out) first, so the coloured lines are drawn on top.
  for (int pass = 0; pass < 2; ++pass)
    for (int r = 0; r < rows_.size(); ++r) {
      if (visible[r] != (pass == 1)) continue;
      auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
      QVector<double> xs, ys;
      for (int i = 0; i < rows_[r].size(); ++i) {
        xs << i;
        ys << rows_[r][i];
      }
      curve->setData(xs, ys);
      QColor c =
          visible[r] ? colourAt(r < colour_.size() ? colour_[r] : 0.5) : QColor(210, 210, 210);
      curve->setPen(QPen(c, visible[r] ? 2.0 : 1.0));
    }
  // Brush rectangles.
  for (int i = plot_->itemCount() - 1; i >= 0; --i)
    if (plot_->item(i)->objectName() == QLatin1String("brush")) plot_->removeItem(i);
  for (const auto& [axis, range] : brushes_) {
    auto* rect = new QCPItemRect(plot_);
    rect->setObjectName(QStringLiteral("brush"));
    rect->topLeft->setCoords(axis - 0.08, range.second);
    rect->bottomRight->setCoords(axis + 0.08, range.first);
    rect->setPen(QPen(QColor(40, 40, 40), 1));
    rect->setBrush(QColor(255, 200, 0, 90));
  }
  plot_->replot();
}

}  // namespace tessel::ui
