#include "ui/preview/EmbeddingView.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QThreadPool>
#include <QVBoxLayout>
#include <exception>

#include "engine/core/Rng.h"
#include "engine/explain/Explainer.h"
#include "engine/explain/Pca.h"
#include "engine/explain/Tsne.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewPainter.h"

namespace tessel::ui {

namespace {

QColor classColor(int c) {
  static const QColor palette[] = {
      {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return c < 0 ? QColor(90, 90, 90) : palette[c % 10];
}

}  // namespace

EmbeddingView::EmbeddingView(PreviewDriver* driver, QWidget* parent)
    : QWidget(parent), driver_(driver) {
  auto* lay = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Layer"), this));
  layer_ = new QComboBox(this);
  layer_->setObjectName("embeddingLayer");
  layer_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  bar->addWidget(layer_);
  method_ = new QComboBox(this);
  method_->setObjectName("embeddingMethod");
  method_->addItems({tr("PCA"), tr("t-SNE")});
  bar->addWidget(method_);
  bar->addWidget(new QLabel(tr("Points"), this));
  sample_ = new QSpinBox(this);
  sample_->setObjectName("embeddingPoints");
  sample_->setRange(10, 2000);
  sample_->setValue(500);
  bar->addWidget(sample_);
  compute_ = new QPushButton(tr("Compute"), this);
  compute_->setObjectName("computeEmbedding");
  bar->addWidget(compute_);
  message_ = new QLabel(this);
  message_->setObjectName("embeddingMessage");
  bar->addWidget(message_, 1);
  lay->addLayout(bar);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName("embeddingPlot");
  plot_->legend->setVisible(true);
  plot_->setMouseTracking(true);
  plot_->installEventFilter(this);
  lay->addWidget(plot_, 1);
  hover_ = new QLabel(plot_);
  hover_->setObjectName("embeddingHover");
  hover_->setStyleSheet("QLabel { background: #202024; color: white; border: 1px solid #888; }");
  hover_->hide();
  connect(compute_, &QPushButton::clicked, this, &EmbeddingView::compute);
  message_->setText(tr("PCA or t-SNE (exact, up to 2,000 points) of the validation set"));
}

QString EmbeddingView::message() const {
  return message_->text();
}

void EmbeddingView::setModel(const ModelSpec& spec) {
  spec_ = std::make_shared<const ModelSpec>(spec);
  weights_ = std::make_shared<const std::vector<Tensor>>();
  layer_->clear();
  try {
    const auto names = Explainer::layerNames(spec);  // no model built on the GUI thread
    for (const auto& n : names) layer_->addItem(QString::fromStdString(n));
    // The last layer before the outputs: the penultimate representation.
    layer_->setCurrentIndex(std::max(0, layer_->count() - 2));
  } catch (const std::exception&) {
  }
  rows_.clear();
  xy_.clear();
  plot_->clearGraphs();
  plot_->replot();
}

void EmbeddingView::clear() {
  ++generation_;  // a t-SNE still running is dropped when it ends
  busy_ = false;
  compute_->setEnabled(true);
  spec_.reset();
  weights_.reset();
  layer_->clear();
  rows_.clear();
  xy_.clear();
  classes_.clear();
  plot_->clearGraphs();
  plot_->replot();
  message_->setText(tr("PCA or t-SNE (exact, up to 2,000 points) of the validation set"));
}

void EmbeddingView::setWeights(const std::vector<Tensor>& weights) {
  weights_ = std::make_shared<const std::vector<Tensor>>(weights);
}

void EmbeddingView::compute() {
  if (!spec_ || driver_->validationSize() == 0 || layer_->currentText().isEmpty()) {
    message_->setText(tr("No validation data yet: configure a run first"));
    return;
  }
  // A fixed random sample of the validation rows.
  const Index n = std::min<Index>(sample_->value(), driver_->validationSize());
  std::vector<Index> all(static_cast<size_t>(driver_->validationSize()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<Index>(i);
  Rng rng(7);
  for (Index i = 0; i < n; ++i)
    std::swap(all[static_cast<size_t>(i)],
              all[static_cast<size_t>(
                  i + static_cast<Index>(rng.below(static_cast<std::uint64_t>(all.size()) - i)))]);
  std::vector<Index> rows(all.begin(), all.begin() + n);
  const Tensor x = driver_->validationInputs(rows);
  const bool tsne = method_->currentIndex() == 1;
  const std::string layer = layer_->currentText().toStdString();
  auto spec = spec_;
  auto weights = weights_;
  const int gen = ++generation_;
  busy_ = true;
  compute_->setEnabled(false);
  message_->setText(tsne ? tr("t-SNE of %1 points…").arg(n) : tr("PCA of %1 points…").arg(n));
  QPointer<EmbeddingView> self(this);
  QThreadPool::globalInstance()->start([=] {
    auto xy = std::make_shared<std::vector<double>>();
    auto error = std::make_shared<QString>();
    try {
      Explainer ex(*spec, *weights);
      const Tensor f = ex.features(x, layer);
      Eigen::MatrixXd m(f.dim(0), f.size() / std::max<Index>(1, f.dim(0)));
      for (Index i = 0; i < m.rows(); ++i)
        for (Index j = 0; j < m.cols(); ++j) m(i, j) = f[i * m.cols() + j];
      Eigen::MatrixXd y = tsne ? Tsne::embed(m, Tsne::Options{}) : Pca::fit(m, 2).projection;
      for (Index i = 0; i < y.rows(); ++i) {
        xy->push_back(y(i, 0));
        xy->push_back(y.cols() > 1 ? y(i, 1) : 0.0);
      }
    } catch (const std::exception& e) {
      *error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, xy, error, rows, gen, tsne] {
          if (!self || gen != self->generation_) return;
          self->busy_ = false;
          self->compute_->setEnabled(true);
          if (!error->isEmpty()) {
            self->message_->setText(*error);
          } else {
            self->showPoints(*xy, rows);
            self->message_->setText(tr("%1 of %2 validation points, layer %3")
                                        .arg(tsne ? tr("t-SNE") : tr("PCA"))
                                        .arg(rows.size())
                                        .arg(self->layer_->currentText()));
          }
          emit self->computed();
        },
        Qt::QueuedConnection);
  });
}

void EmbeddingView::showPoints(const std::vector<double>& xy, const std::vector<Index>& rows) {
  xy_ = xy;
  rows_ = rows;
  classes_.clear();
  plot_->clearGraphs();
  std::map<int, QCPGraph*> graphs;
  const QStringList& names = driver_->classNames();
  for (size_t i = 0; i < rows.size(); ++i) {
    const int c = driver_->validationClass(0, rows[i]);
    classes_.push_back(c);
    QCPGraph*& g = graphs[c];
    if (!g) {
      g = plot_->addGraph();
      g->setLineStyle(QCPGraph::lsNone);
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, classColor(c), 6));
      g->setName(c < 0 ? tr("no label") : PreviewPainter::className(names, c));
    }
    g->addData(xy[2 * i], xy[2 * i + 1]);
  }
  plot_->rescaleAxes();
  plot_->xAxis->scaleRange(1.08);
  plot_->yAxis->scaleRange(1.08);
  plot_->replot();
}

QPointF EmbeddingView::pointCoords(int i) const {
  return {xy_[2 * static_cast<size_t>(i)], xy_[2 * static_cast<size_t>(i) + 1]};
}

QPoint EmbeddingView::pointPosition(int i) const {
  const QPointF c = pointCoords(i);
  return QPoint(qRound(plot_->xAxis->coordToPixel(c.x())),
                qRound(plot_->yAxis->coordToPixel(c.y())));
}

int EmbeddingView::pointAt(const QPoint& pos) const {
  int best = -1;
  double bestD = 7.0 * 7.0;
  for (int i = 0; i < pointCount(); ++i) {
    const QPoint p = pointPosition(i);
    const QPoint v = p - pos;
    const double d = double(v.x()) * v.x() + double(v.y()) * v.y();
    if (d < bestD) bestD = d, best = i;
  }
  return best;
}

bool EmbeddingView::eventFilter(QObject* o, QEvent* e) {
  if (o == plot_ && e->type() == QEvent::MouseMove) {
    const QPoint pos = static_cast<QMouseEvent*>(e)->position().toPoint();
    const int i = pointAt(pos);
    if (i < 0) {
      hover_->hide();
    } else {
      const PreviewRecord r = driver_->validationRecord(pointRow(i));
      hover_->setPixmap(
          QPixmap::fromImage(PreviewPainter::renderTile(r, driver_->classNames(), 96, false)));
      hover_->adjustSize();
      QPoint at = pos + QPoint(12, 12);
      at.setX(std::min(at.x(), plot_->width() - hover_->width()));
      at.setY(std::min(at.y(), plot_->height() - hover_->height()));
      hover_->move(at);
      hover_->show();
      hover_->raise();
    }
  } else if (o == plot_ && e->type() == QEvent::MouseButtonRelease) {
    const int i = pointAt(static_cast<QMouseEvent*>(e)->position().toPoint());
    if (i >= 0) emit pointClicked(pointRow(i));
  }
  return QWidget::eventFilter(o, e);
}

}  // namespace tessel::ui
