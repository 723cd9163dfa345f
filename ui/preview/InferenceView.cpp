#include "ui/preview/InferenceView.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "engine/train/Model.h"
#include "ui/preview/PreviewDecoder.h"
#include "ui/preview/PreviewPainter.h"

namespace tessel::ui {

namespace {

bool isImageFile(const QString& path) {
  const QString s = QFileInfo(path).suffix().toLower();
  return s == "png" || s == "jpg" || s == "jpeg" || s == "bmp";
}

}  // namespace

InferenceView::InferenceView(QWidget* parent) : QWidget(parent) {
  setAcceptDrops(true);
  auto* lay = new QHBoxLayout(this);
  image_ = new QLabel(this);
  image_->setObjectName("inferenceImage");
  image_->setMinimumSize(PreviewPainter::tileSize(256, true));
  image_->setAlignment(Qt::AlignCenter);
  image_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  image_->setStyleSheet("QLabel { background: #202024; border: 1px dashed #777; }");
  lay->addWidget(image_, 1);
  auto* right = new QVBoxLayout;
  message_ = new QLabel(this);
  message_->setObjectName("inferenceMessage");
  message_->setWordWrap(true);
  right->addWidget(message_);
  auto* buttons = new QHBoxLayout;
  browse_ = new QPushButton(tr("Browse…"), this);
  browse_->setObjectName("browseImage");
  buttons->addWidget(browse_);
  explainButton_ = new QPushButton(tr("Explain"), this);
  explainButton_->setObjectName("explainImage");
  explainButton_->setToolTip(tr("Grad-CAM, saliency and feature maps of this image"));
  explainButton_->setEnabled(false);
  buttons->addWidget(explainButton_);
  right->addLayout(buttons);
  connect(browse_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open an image"), {},
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp)"));
    if (!path.isEmpty()) browseTo(path);
  });
  connect(explainButton_, &QPushButton::clicked, this, &InferenceView::explainRequested);
  top_ = new QListWidget(this);
  top_->setObjectName("top5");
  top_->setMinimumWidth(200);
  right->addWidget(top_, 1);
  lay->addLayout(right);
  showMessage(tr("Drop a PNG or JPEG image here, or Browse…"));
}

InferenceView::~InferenceView() = default;

void InferenceView::showMessage(const QString& text) {
  message_->setText(text);
}

QString InferenceView::message() const {
  return message_->text();
}

void InferenceView::setModel(const ModelSpec& spec, const PreviewHeads& heads,
                             const ImagePreprocessor& pre) {
  heads_ = heads;
  pre_ = pre;
  model_.reset();
  try {
    model_ = std::make_unique<Model>(spec);
  } catch (const std::exception& e) {
    showMessage(tr("Cannot build the model: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  if (!source_.isNull()) refresh();
}

void InferenceView::clear() {
  model_.reset();
  heads_ = PreviewHeads{};
  source_ = QImage();
  sourceBytes_.clear();
  sourceName_.clear();
  record_ = PreviewRecord{};
  top_->clear();
  image_->setPixmap(QPixmap());
  explainButton_->setEnabled(false);
  showMessage(tr("Drop a PNG or JPEG image here, or Browse…"));
}

void InferenceView::setWeights(const std::vector<Tensor>& weights) {
  if (!model_) return;
  try {
    model_->setWeights(weights);
  } catch (const std::exception& e) {
    showMessage(tr("Cannot load the weights: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  if (!source_.isNull()) refresh();
}

void InferenceView::setClassNames(const QStringList& names) {
  names_ = names;
  if (!source_.isNull()) refresh();
}

bool InferenceView::loadImage(const QString& path) {
  QImageReader reader(path);
  QImage img = reader.read();
  if (img.isNull()) {
    showMessage(tr("Cannot read %1: %2").arg(QFileInfo(path).fileName(), reader.errorString()));
    return false;
  }
  // The file's own bytes go to the engine's decoder, as the data set's files did in training.
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    showMessage(tr("Cannot read %1: %2").arg(QFileInfo(path).fileName(), file.errorString()));
    return false;
  }
  sourceBytes_ = file.readAll();
  sourceName_ = path;
  source_ = img;
  refresh();
  return !record_.probs.empty() || !record_.predBoxes.empty();
}

bool InferenceView::predictImage(const QImage& image) {
  source_ = image;
  sourceBytes_.clear();
  sourceName_.clear();
  refresh();
  return !record_.probs.empty() || !record_.predBoxes.empty();
}

bool InferenceView::browseTo(const QString& path) {
  return loadImage(path);
}

Tensor InferenceView::inputTensor() const {
  if (record_.image.isNull() || !pre_.valid()) return {};
  return pre_.tensor(record_.image);
}

void InferenceView::refresh() {
  top_->clear();
  explainButton_->setEnabled(false);
  record_ = PreviewRecord{};
  if (!model_) {
    showMessage(tr("No model yet: start training first"));
    return;
  }
  if (!pre_.valid() || model_->numInputs() != 1) {
    showMessage(tr("This model does not take a single image input"));
    return;
  }
  record_.image = sourceBytes_.isEmpty() ? pre_.modelImage(source_)
                                         : pre_.modelImage(sourceBytes_, sourceName_);
  if (record_.image.isNull()) {
    showMessage(tr("Cannot decode the image"));
    return;
  }
  try {
    Tensor x = pre_.tensor(record_.image);
    RunContext ctx;
    ctx.training = false;
    model_->forward({&x}, false, ctx);
    std::vector<Tensor> outs;
    for (size_t k = 0; k < model_->numOutputs(); ++k) outs.push_back(model_->output(k));
    PreviewDecoder::fillPrediction(heads_, outs, 0, record_);
  } catch (const std::exception& e) {
    showMessage(tr("Prediction failed: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  for (const QString& t : topLabels()) top_->addItem(t);
  redraw();
  showMessage(tr("Input %1×%2, top-5 classes:").arg(pre_.width).arg(pre_.height));
  explainButton_->setEnabled(true);
  emit predicted();
}

void InferenceView::redraw() {
  if (record_.image.isNull()) return;
  // The largest tile that fits the label.
  const QSize extra = PreviewPainter::tileSize(0, true);
  const int side = std::clamp(
      std::min(image_->width() - extra.width() - 4, image_->height() - extra.height() - 4), 128,
      768);
  image_->setPixmap(QPixmap::fromImage(PreviewPainter::renderTile(record_, names_, side, true)));
}

void InferenceView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  redraw();
}

QStringList InferenceView::topLabels() const {
  std::vector<int> order(record_.probs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return record_.probs[a] > record_.probs[b]; });
  QStringList out;
  for (size_t i = 0; i < order.size() && i < 5; ++i)
    out << QStringLiteral("%1 %2%")
               .arg(PreviewPainter::className(names_, order[i]))
               .arg(record_.probs[order[i]] * 100.0f, 0, 'f', 1);
  return out;
}

void InferenceView::dragEnterEvent(QDragEnterEvent* e) {
  const QMimeData* m = e->mimeData();
  if (m && m->hasUrls())
    for (const QUrl& u : m->urls())
      if (u.isLocalFile() && isImageFile(u.toLocalFile())) {
        e->acceptProposedAction();
        return;
      }
  e->ignore();
}

void InferenceView::dropEvent(QDropEvent* e) {
  const QMimeData* m = e->mimeData();
  if (!m || !m->hasUrls()) return e->ignore();
  for (const QUrl& u : m->urls())
    if (u.isLocalFile() && isImageFile(u.toLocalFile())) {
      loadImage(u.toLocalFile());
      e->acceptProposedAction();
      return;
    }
  e->ignore();
}

}  // namespace tessel::ui
