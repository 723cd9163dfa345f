#include "ui/search/ObjectiveScatterPlot.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSvgGenerator>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "engine/core/KerasFormat.h"

namespace tessel::ui {

using json = nlohmann::json;

ObjectiveScatterPlot::ObjectiveScatterPlot(QWidget* parent)
    : QWidget(parent), box_(new QComboBox(this)), plot_(new QCustomPlot(this)) {
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Objective vs"), this));
  top->addWidget(box_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(top);
  layout->addWidget(plot_, 1);
  plot_->setMinimumSize(200, 160);
  plot_->addGraph();  // trials
  plot_->addGraph();  // the best trial
  for (int g = 0; g < 2; ++g) plot_->graph(g)->setLineStyle(QCPGraph::lsNone);
  plot_->graph(0)->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(40, 90, 200, 170), 7));
  plot_->graph(1)->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssStar, QColor(220, 60, 30), QColor(220, 60, 30), 13));
  plot_->graph(0)->setName(tr("trials"));
  plot_->graph(1)->setName(tr("best"));
  connect(box_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
}

void ObjectiveScatterPlot::setTrials(const SearchSpace& space, const SearchSettings& settings,
                                     const std::vector<SearchTrial>& trials) {
  space_ = space;
  settings_ = settings;
  trials_ = trials;
  const QString keep = box_->currentText();
  {
    const QSignalBlocker block(box_);
    box_->clear();
    for (const auto& p : space.parameters()) box_->addItem(QString::fromStdString(p.name));
    const int i = box_->findText(keep);
    box_->setCurrentIndex(i >= 0 ? i : 0);
  }
  redraw();
}

bool ObjectiveScatterPlot::showParameter(const QString& name) {
  const int i = box_->findText(name);
  if (i < 0) return false;
  box_->setCurrentIndex(i);
  redraw();
  return true;
}

QString ObjectiveScatterPlot::parameter() const {
  return box_->currentText();
}

int ObjectiveScatterPlot::pointCount() const {
  return plot_->graph(0)->dataCount() + plot_->graph(1)->dataCount();
}

void ObjectiveScatterPlot::redraw() {
  const Hyperparameter* p = space_.find(box_->currentText().toStdString());
  QVector<double> x, y, bx, by;
  const SearchTrial* best = nullptr;
  for (const auto& t : trials_) {
    if (t.status != "finished" || !t.score) continue;
    if (!best || (settings_.maximize() ? *t.score > *best->score : *t.score < *best->score))
      best = &t;
  }
  auto xOf = [&](const json& v, double* out) {
    if (p->kind == Hyperparameter::Kind::Choice) {
      for (size_t i = 0; i < p->values.size(); ++i)
        if (p->values[i] == v) {
          *out = static_cast<double>(i);
          return true;
        }
      return false;
    }
    if (!v.is_number()) return false;
    *out = v.get<double>();
    return true;
  };
  if (p)
    for (const auto& t : trials_) {
      double v = 0;
      if (!t.score || !t.values.contains(p->name) || !xOf(t.values[p->name], &v)) continue;
      ((&t == best) ? bx : x) << v;
      ((&t == best) ? by : y) << *t.score;
    }
  plot_->graph(0)->setData(x, y);
  plot_->graph(1)->setData(bx, by);
  QCPAxis* xa = plot_->xAxis;
  xa->setLabel(box_->currentText());
  plot_->yAxis->setLabel(QString::fromStdString(settings_.objective));
  xa->setScaleType(QCPAxis::stLinear);
  if (p && p->kind == Hyperparameter::Kind::Choice) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < p->values.size(); ++i) {
      const json& v = p->values[i];
      ticker->addTick(static_cast<double>(i), v.is_string()
                                                  ? QString::fromStdString(v.get<std::string>())
                                                  : QString::fromStdString(v.dump()));
    }
    xa->setTicker(ticker);
    xa->setRange(-0.5, static_cast<double>(p->values.size()) - 0.5);
  } else if (p && p->kind == Hyperparameter::Kind::LogUniform) {
    xa->setScaleType(QCPAxis::stLogarithmic);
    xa->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    xa->setRange(p->min / 1.2, p->max * 1.2);
  } else {
    xa->setTicker(QSharedPointer<QCPAxisTicker>::create());
    if (p) {
      const double pad = (p->max - p->min) * 0.05;
      xa->setRange(p->min - pad, p->max + pad);
    }
  }
  bool found = false;
  QCPRange r0 = plot_->graph(0)->getValueRange(found);
  bool found1 = false;
  QCPRange r1 = plot_->graph(1)->getValueRange(found1);
  if (found || found1) {
    QCPRange r = found ? r0 : r1;
    if (found && found1) r.expand(r1);
    const double pad = r.size() > 0 ? r.size() * 0.08 : std::max(1e-3, std::abs(r.lower) * 0.1);
    plot_->yAxis->setRange(r.lower - pad, r.upper + pad);
  }
  plot_->replot();
}

bool savePlotImage(QCustomPlot* plot, const QString& path, int width, int height) {
  plot->replot();
  if (QFileInfo(path).suffix().toLower() != QLatin1String("svg"))
    return plot->savePng(path, width, height);
  const int w = width > 0 ? width : plot->width();
  const int h = height > 0 ? height : plot->height();
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(QSize(w, h));
  svg.setViewBox(QRect(0, 0, w, h));
  svg.setTitle(QStringLiteral("Tessel search"));
  QCPPainter painter;
  if (!painter.begin(&svg)) return false;
  plot->toPainter(&painter, w, h);
  painter.end();
  return QFileInfo(path).size() > 0;
}

}  // namespace tessel::ui
