#include "ui/preview/ExplainView.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPointer>
#include <QScrollArea>
#include <QSlider>
#include <QThreadPool>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "engine/explain/Explainer.h"
#include "ui/preview/ActivationGrid.h"
#include "ui/preview/PreviewPainter.h"

namespace tessel::ui {

namespace {

struct ExplainResult {
  HeatMap map;
  Tensor activations;
  QString error;
};

// Runs on a pool thread: its own Explainer (its own Model) from the snapshot.
ExplainResult compute(const ModelSpec& spec, const std::vector<Tensor>& weights, const Tensor& x,
                      bool gradCam, int output, int unit, const std::string& camLayer,
                      const std::string& actLayer, Index h, Index w) {
  ExplainResult r;
  try {
    Explainer ex(spec, weights);
    if (output >= 0)
      r.map = gradCam ? ex.gradCam(x, output, unit, camLayer) : ex.saliency(x, output, unit, h, w);
    if (!actLayer.empty()) r.activations = ex.activations(x, actLayer);
  } catch (const std::exception& e) {
    r.error = QString::fromUtf8(e.what());
  }
  return r;
}

}  // namespace

ExplainView::ExplainView(QWidget* parent) : QWidget(parent) {
  auto* lay = new QHBoxLayout(this);
  auto* left = new QVBoxLayout;
  image_ = new QLabel(this);
  image_->setObjectName("explainImage");
  image_->setAlignment(Qt::AlignCenter);
  image_->setMinimumSize(256, 256);
  image_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  image_->setStyleSheet("QLabel { background: #202024; }");
  left->addWidget(image_, 1);
  message_ = new QLabel(tr("Click a preview tile, an embedding point or Explain in Single image"));
  message_->setObjectName("explainMessage");
  message_->setWordWrap(true);
  left->addWidget(message_);
  lay->addLayout(left, 1);

  auto* right = new QVBoxLayout;
  auto* form = new QFormLayout;
  method_ = new QComboBox(this);
  method_->setObjectName("explainMethod");
  method_->addItems({tr("Grad-CAM"), tr("Gradient saliency")});
  form->addRow(tr("Method"), method_);
  target_ = new QComboBox(this);
  target_->setObjectName("explainTarget");
  form->addRow(tr("Explain"), target_);
  camLayer_ = new QComboBox(this);
  camLayer_->setObjectName("camLayer");
  form->addRow(tr("Grad-CAM layer"), camLayer_);
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setObjectName("explainOpacity");
  opacity_->setRange(0, 100);
  opacity_->setValue(55);
  form->addRow(tr("Opacity"), opacity_);
  actLayer_ = new QComboBox(this);
  actLayer_->setObjectName("activationLayer");
  form->addRow(tr("Feature maps of"), actLayer_);
  right->addLayout(form);
  grid_ = new ActivationGrid;
  grid_->setObjectName("activationGrid");
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(grid_);
  right->addWidget(scroll, 1);
  lay->addLayout(right, 1);

  connect(method_, &QComboBox::currentIndexChanged, this, [this] {
    camLayer_->setEnabled(method_->currentIndex() == 0);
    run();
  });
  connect(target_, &QComboBox::currentIndexChanged, this, &ExplainView::run);
  connect(camLayer_, &QComboBox::currentIndexChanged, this, &ExplainView::run);
  connect(actLayer_, &QComboBox::currentIndexChanged, this, &ExplainView::run);
  connect(opacity_, &QSlider::valueChanged, this, &ExplainView::redraw);
}

ExplainView::~ExplainView() = default;

void ExplainView::clear() {
  ++generation_;  // results still on their way are dropped
  spec_.reset();
  weights_.reset();
  heads_ = PreviewHeads{};
  record_ = PreviewRecord{};
  x_ = Tensor();
  map_ = HeatMap{};
  const QSignalBlocker b1(camLayer_), b2(actLayer_), b3(target_);
  camLayer_->clear();
  actLayer_->clear();
  target_->clear();
  grid_->setActivations(Tensor(), {});
  message_->setText(tr("Click a preview tile, an embedding point or Explain in Single image"));
  redraw();
}

void ExplainView::setModel(const ModelSpec& spec, const PreviewHeads& heads) {
  spec_ = std::make_shared<const ModelSpec>(spec);
  weights_ = std::make_shared<const std::vector<Tensor>>();
  heads_ = heads;
  record_ = PreviewRecord{};
  x_ = Tensor();
  map_ = HeatMap{};
  const QSignalBlocker b1(camLayer_), b2(actLayer_);
  camLayer_->clear();
  actLayer_->clear();
  try {
    // From the spec alone: the model itself is built on a pool thread when something is
    // explained (run()).
    const auto spatial = Explainer::spatialLayers(spec);
    for (const auto& n : spatial) camLayer_->addItem(QString::fromStdString(n));
    camLayer_->setCurrentIndex(camLayer_->count() - 1);
    for (const auto& n : Explainer::layerNames(spec)) actLayer_->addItem(QString::fromStdString(n));
    if (!spatial.empty()) actLayer_->setCurrentText(QString::fromStdString(spatial.front()));
  } catch (const std::exception& e) {
    message_->setText(tr("Cannot explain this model: %1").arg(QString::fromUtf8(e.what())));
  }
  rebuildTargets();
  grid_->setActivations(Tensor(), {});
  redraw();
}

void ExplainView::setWeights(const std::vector<Tensor>& weights) {
  weights_ = std::make_shared<const std::vector<Tensor>>(weights);
  if (!x_.empty()) run();
}

void ExplainView::setClassNames(const QStringList& names) {
  names_ = names;
  rebuildTargets();
}

void ExplainView::rebuildTargets() {
  const QSignalBlocker block(target_);
  const int keep = target_->currentIndex();
  target_->clear();
  if (heads_.hasClass()) {
    const int out = heads_.classOutputs.front();
    target_->addItem(tr("Predicted class"), QVariantList{out, -1});
    int classes = 0;
    if (spec_) {
      const ShapeReport report = inferShapes(*spec_);
      const size_t k = static_cast<size_t>(out);
      if (const NodeShapes* ns = report.find(spec_->outputs[k]))
        if (auto shape = ns->outputAt(size_t(spec_->outputTensor(k))); shape && !shape->empty())
          classes = static_cast<int>(shape->back());
    }
    for (int c = 0; c < classes; ++c)
      target_->addItem(tr("Class %1").arg(PreviewPainter::className(names_, c)),
                       QVariantList{out, c});
  }
  if (heads_.hasBoxes()) {
    const char* coords[] = {"y_min", "x_min", "y_max", "x_max"};
    for (int c = 0; c < 4; ++c)
      target_->addItem(tr("Box %1").arg(QLatin1String(coords[c])),
                       QVariantList{heads_.boxOutput, c});
  }
  if (target_->count() == 0) target_->addItem(tr("Output 0, largest unit"), QVariantList{0, -1});
  target_->setCurrentIndex(std::clamp(keep, 0, target_->count() - 1));
}

void ExplainView::explain(const PreviewRecord& record, const Tensor& x) {
  record_ = record;
  x_ = x;
  map_ = HeatMap{};
  redraw();
  run();
}

void ExplainView::run() {
  if (!spec_ || x_.empty()) return;
  const QVariantList t = target_->currentData().toList();
  const int output = t.size() == 2 ? t[0].toInt() : 0;
  const int unit = t.size() == 2 ? t[1].toInt() : -1;
  const bool gradCam = method_->currentIndex() == 0;
  const std::string camLayer = camLayer_->currentText().toStdString();
  const std::string actLayer = actLayer_->currentText().toStdString();
  const Index h = record_.image.height(), w = record_.image.width();
  const int gen = ++generation_;
  ++pending_;
  message_->setText(tr("Computing…"));
  QPointer<ExplainView> self(this);
  auto spec = spec_;
  auto weights = weights_;
  const Tensor x = x_;
  QThreadPool::globalInstance()->start([=] {
    auto r = std::make_shared<ExplainResult>(
        compute(*spec, *weights, x, gradCam, output, unit, camLayer, actLayer, h, w));
    QMetaObject::invokeMethod(
        qApp,
        [self, r, gen] {
          if (!self) return;
          --self->pending_;
          if (gen != self->generation_) return;  // a newer request is on its way
          self->map_ = r->map;
          self->grid_->setActivations(r->activations, self->actLayer_->currentText());
          if (!r->error.isEmpty()) {
            self->message_->setText(r->error);
          } else {
            const QString what = self->target_->currentIndex() == 0 && self->map_.unit >= 0 &&
                                         self->heads_.hasClass()
                                     ? PreviewPainter::className(self->names_, self->map_.unit)
                                     : self->target_->currentText();
            self->message_->setText(
                tr("%1 of %2 (score %3)%4")
                    .arg(self->method_->currentText(), what)
                    .arg(self->map_.score, 0, 'g', 4)
                    .arg(self->map_.layer.empty()
                             ? QString()
                             : tr(", layer %1").arg(QString::fromStdString(self->map_.layer))));
            const auto& v = self->map_.values;
            if (!v.empty() && *std::max_element(v.begin(), v.end()) <= 0.0f)
              self->message_->setText(self->message_->text() +
                                      tr(" — no positive evidence: the map is 0 everywhere"));
          }
          self->redraw();
          emit self->explained();
        },
        Qt::QueuedConnection);
  });
}

QString ExplainView::message() const {
  return message_->text();
}

double ExplainView::opacity() const {
  return opacity_->value() / 100.0;
}

QColor ExplainView::heatColor(float v) {
  v = std::clamp(v, 0.0f, 1.0f);
  // Piecewise linear: 0 blue, 0.33 cyan, 0.66 yellow, 1 red.
  if (v < 1.0f / 3) return QColor::fromRgbF(0, 3 * v, 1);
  if (v < 2.0f / 3) return QColor::fromRgbF(3 * (v - 1.0f / 3), 1, 1 - 3 * (v - 1.0f / 3));
  return QColor::fromRgbF(1, 1 - 3 * (v - 2.0f / 3), 0);
}

QImage ExplainView::overlay() const {
  if (record_.image.isNull()) return {};
  const int side = std::clamp(std::min(image_->width(), image_->height()) - 8, 192, 768);
  QImage base = record_.image.convertToFormat(QImage::Format_RGB32)
                    .scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation);
  if (map_.empty() || map_.height <= 0 || map_.width <= 0) return base;
  QImage heat(static_cast<int>(map_.width), static_cast<int>(map_.height), QImage::Format_RGB32);
  for (Index y = 0; y < map_.height; ++y)
    for (Index x = 0; x < map_.width; ++x)
      heat.setPixelColor(static_cast<int>(x), static_cast<int>(y), heatColor(map_.at(y, x)));
  QPainter p(&base);
  p.setOpacity(opacity());
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.drawImage(base.rect(), heat);
  return base;
}

void ExplainView::redraw() {
  const QImage img = overlay();
  image_->setPixmap(img.isNull() ? QPixmap() : QPixmap::fromImage(img));
}

void ExplainView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  redraw();
}

}  // namespace tessel::ui
