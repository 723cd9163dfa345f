#include "ui/preview/PreviewPanel.h"

#include <QDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/preview/ConfusionMatrixWidget.h"
#include "ui/preview/EmbeddingView.h"
#include "ui/preview/ExplainView.h"
#include "ui/preview/InferenceView.h"
#include "ui/preview/MisclassifiedView.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PreviewPainter.h"
#include "ui/preview/SequencePreview.h"

namespace tessel::ui {

PreviewPanel::PreviewPanel(QWidget* parent) : QWidget(parent) {
  driver_ = new PreviewDriver(this);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Samples"), this));
  sampleCount_ = new QSpinBox(this);
  sampleCount_->setObjectName("sampleCount");
  sampleCount_->setRange(1, 64);
  sampleCount_->setValue(driver_->settings().sampleCount);
  bar->addWidget(sampleCount_);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Refresh every"), this));
  everyN_ = new QSpinBox(this);
  everyN_->setObjectName("everyNBatches");
  everyN_->setRange(0, 100000);
  everyN_->setSpecialValueText(tr("epoch end only"));
  everyN_->setSuffix(tr(" batches"));
  everyN_->setValue(0);
  bar->addWidget(everyN_);
  bar->addSpacing(12);
  status_ = new QLabel(this);
  status_->setObjectName("previewStatus");
  bar->addWidget(status_, 1);
  export_ = new QPushButton(tr("Export PNG…"), this);
  export_->setObjectName("exportPreview");
  bar->addWidget(export_);
  lay->addLayout(bar);

  tabs_ = new QTabWidget(this);
  grid_ = new PreviewGrid;
  grid_->setObjectName("previewGrid");
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(grid_);
  tabs_->addTab(scroll, tr("Samples"));
  samplesTab_ = scroll;
  inference_ = new InferenceView;
  tabs_->addTab(inference_, tr("Single image"));
  explain_ = new ExplainView;
  explain_->setObjectName("explainView");
  tabs_->addTab(explain_, tr("Explain"));
  misclassified_ = new MisclassifiedView(driver_);
  misclassified_->setObjectName("misclassifiedView");
  tabs_->addTab(misclassified_, tr("Misclassified"));
  embedding_ = new EmbeddingView(driver_);
  embedding_->setObjectName("embeddingView");
  tabs_->addTab(embedding_, tr("Embedding"));
  sequences_ = new SequencePreview(driver_);
  sequences_->setObjectName("sequencePreview");
  sequences_->setTextInfo(&textInfo_);
  // Hidden and last unless the model is a text or sequence model (then first: configure()).
  tabs_->addTab(sequences_, tr("Sequences"));
  tabs_->setTabVisible(tabs_->indexOf(sequences_), false);
  lay->addWidget(tabs_, 1);
  // A tile click explains the tile (the Explain tab shows it large, with its heat map).
  grid_->setEnlargeOnClick(false);
  connect(grid_, &PreviewGrid::tileClicked, this, [this](int i) {
    if (i >= 0 && i < static_cast<int>(grid_->records().size()))
      explainRow(grid_->records()[static_cast<size_t>(i)].sample);
  });
  connect(misclassified_, &MisclassifiedView::recordClicked, this,
          [this](const PreviewRecord& r) { explainRow(r.sample); });
  connect(embedding_, &EmbeddingView::pointClicked, this, &PreviewPanel::explainRow);
  connect(inference_, &InferenceView::explainRequested, this, [this] {
    explain_->explain(inference_->record(), inference_->inputTensor());
    tabs_->setCurrentWidget(explain_);
  });

  connect(sampleCount_, &QSpinBox::valueChanged, this, &PreviewPanel::applySettings);
  connect(everyN_, &QSpinBox::valueChanged, this, &PreviewPanel::applySettings);
  connect(export_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export previews"), QStringLiteral("previews.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportGrid(path)) status_->setText(tr("Could not write %1").arg(path));
  });
  connect(driver_, &PreviewDriver::previewUpdated, this, &PreviewPanel::onPreview);
  connect(driver_, &PreviewDriver::confusionUpdated, this, &PreviewPanel::onConfusion);
  connect(driver_, &PreviewDriver::weightsUpdated, this, [this] {
    inference_->setWeights(driver_->latestWeights());
    explain_->setWeights(driver_->latestWeights());
    embedding_->setWeights(driver_->latestWeights());
  });
  status_->setText(tr("No training run yet"));
}

void PreviewPanel::configure(const ModelSpec& spec, const CompileOptions& compile,
                             const Dataset& data, const FitOptions& fit) {
  driver_->configure(spec, compile, data, fit);
  applySettings();
  headNames_.clear();
  for (int k : driver_->heads().classOutputs)
    headNames_.push_back(k < static_cast<int>(spec.outputs.size()) ? spec.outputs[k]
                                                                   : std::to_string(k));
  rebuildConfusionTabs();
  inference_->setModel(spec, driver_->heads(), driver_->preprocessor());
  explain_->setModel(spec, driver_->heads());
  embedding_->setModel(spec);
  misclassified_->setFilter(-1, -1);
  grid_->setRecords(driver_->records());
  // Text and sequence models: the Sequences tab first; the image tabs only where x is an image.
  const SequenceMode mode = driver_->sequenceSetup().mode;
  const bool seq = mode != SequenceMode::None, imageInput = mode == SequenceMode::Ctc || !seq;
  tabs_->tabBar()->moveTab(tabs_->indexOf(sequences_), seq ? 0 : tabs_->count() - 1);
  tabs_->setTabVisible(tabs_->indexOf(sequences_), seq);
  for (QWidget* w : {samplesTab_, static_cast<QWidget*>(inference_),
                     static_cast<QWidget*>(explain_), static_cast<QWidget*>(misclassified_)})
    if (const int i = tabs_->indexOf(w); i >= 0) tabs_->setTabVisible(i, imageInput);
  sequences_->refresh();
  if (seq)
    tabs_->setCurrentWidget(sequences_);
  else if (tabs_->currentWidget() == sequences_)
    tabs_->setCurrentWidget(samplesTab_);
  const int n = static_cast<int>(driver_->records().size());
  status_->setText(
      imageInput
          ? tr("Ground truth of %n validation image(s); predictions at each epoch end", nullptr, n)
          : tr("Ground truth of %n validation sample(s); predictions at each epoch end", nullptr,
               n));
}

void PreviewPanel::setAllTruthBoxes(std::vector<std::vector<std::array<float, 4>>> boxes) {
  driver_->setAllTruthBoxes(std::move(boxes));
}

void PreviewPanel::setDataSettings(const DataSettings& settings) {
  textInfo_.setSettings(settings);
  driver_->setTextData(textInfo_.isText());
}

SequencePreview* PreviewPanel::textGallery() const {
  return textGallery_.data();
}

bool PreviewPanel::sequenceTabVisible() const {
  return tabs_->isTabVisible(tabs_->indexOf(sequences_));
}

void PreviewPanel::setClassNames(const QStringList& names) {
  driver_->setClassNames(names);
  sequences_->setClassNames(names);
  grid_->setClassNames(names);
  inference_->setClassNames(names);
  explain_->setClassNames(names);
  misclassified_->refresh();
  for (auto* c : confusion_) c->setMatrix(c->counts(), names);
}

ConfusionMatrixWidget* PreviewPanel::confusionWidget(int head) const {
  return head >= 0 && head < confusionCount() ? confusion_[head] : nullptr;
}

QString PreviewPanel::statusText() const {
  return status_->text();
}

bool PreviewPanel::exportGrid(const QString& path) const {
  return grid_->exportPng(path);
}

void PreviewPanel::applySettings() {
  PreviewSettings s = driver_->settings();
  s.sampleCount = sampleCount_->value();
  s.everyNBatches = everyN_->value();
  if (s.sampleCount == driver_->settings().sampleCount &&
      s.everyNBatches == driver_->settings().everyNBatches)
    return;
  driver_->setSettings(s);
  grid_->setRecords(driver_->records());
}

void PreviewPanel::rebuildConfusionTabs() {
  for (auto* c : confusion_) {
    tabs_->removeTab(tabs_->indexOf(c));
    c->deleteLater();
  }
  confusion_.clear();
  for (size_t h = 0; h < headNames_.size(); ++h) {
    auto* c = new ConfusionMatrixWidget;
    c->setObjectName(QStringLiteral("confusion_%1").arg(h));
    c->setTitle(QString::fromStdString(headNames_[h]));
    const int head = static_cast<int>(h);
    connect(c, &ConfusionMatrixWidget::cellClicked, this,
            [this, head](int t, int p) { showCell(head, t, p); });
    confusion_.push_back(c);
    tabs_->insertTab(1 + head, c, tr("Confusion: %1").arg(QString::fromStdString(headNames_[h])));
  }
}

void PreviewPanel::onPreview(int epoch, int batch) {
  grid_->setRecords(driver_->records());
  if (driver_->sequenceSetup().active()) sequences_->refresh();
  QString when = epoch < 0   ? tr("before training")
                 : batch < 0 ? tr("end of epoch %1").arg(epoch + 1)
                             : tr("epoch %1, batch %2").arg(epoch + 1).arg(batch + 1);
  // Sample accuracy / mean IoU of the shown tiles.
  int correct = 0, classified = 0, withIou = 0;
  double iouSum = 0;
  for (const auto& r : driver_->records()) {
    if (r.hasClass() && r.trueClass >= 0) {
      ++classified;
      correct += r.predClass == r.trueClass;
    }
    if (r.iou >= 0) {
      ++withIou;
      iouSum += r.iou;
    }
  }
  QString figures;
  if (classified > 0) figures += tr("  ·  %1/%2 classes right").arg(correct).arg(classified);
  if (withIou > 0) figures += tr("  ·  mean IoU %1").arg(iouSum / withIou, 0, 'f', 2);
  status_->setText(tr("Predictions %1").arg(when) + figures);
}

void PreviewPanel::onConfusion(int epoch) {
  for (size_t h = 0; h < confusion_.size(); ++h) {
    confusion_[h]->setMatrix(driver_->confusion(static_cast<int>(h)), driver_->classNames());
    confusion_[h]->setTitle(
        tr("%1, epoch %2").arg(QString::fromStdString(headNames_[h])).arg(epoch + 1));
  }
  misclassified_->refresh();
}

void PreviewPanel::showCell(int head, int trueClass, int predClass) {
  const QStringList& names = driver_->classNames();
  const QString title = tr("true %1, predicted %2")
                            .arg(PreviewPainter::className(names, trueClass),
                                 PreviewPainter::className(names, predClass));
  if (gallery_) gallery_->close();
  if (textGallery_) textGallery_->window()->close();
  if (driver_->sequenceSetup().mode == SequenceMode::TextClass) {
    // Texts, not image tiles: the Sequences table of the cell's validation rows.
    auto* dialog = new QDialog(this);
    dialog->setWindowTitle(title);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* lay = new QVBoxLayout(dialog);
    textGallery_ = new SequencePreview(driver_, dialog);
    textGallery_->setObjectName("textGallery");
    textGallery_->setTextInfo(&textInfo_);
    textGallery_->setClassNames(names);
    textGallery_->showRecords(driver_->cellRecords(head, trueClass, predClass));
    lay->addWidget(textGallery_);
    dialog->resize(860, 520);
    dialog->show();
    if (head == 0) misclassified_->setFilter(trueClass, trueClass == predClass ? -1 : predClass);
    return;
  }
  gallery_ =
      new PreviewGallery(title, driver_->cellRecords(head, trueClass, predClass), names, this);
  gallery_->setAttribute(Qt::WA_DeleteOnClose);
  gallery_->show();
  // The misclassified tab follows the cell (a diagonal cell keeps its true class only).
  if (head == 0) misclassified_->setFilter(trueClass, trueClass == predClass ? -1 : predClass);
}

void PreviewPanel::explainRow(Index row) {
  if (row < 0 || row >= driver_->validationSize()) return;
  explain_->explain(driver_->validationRecord(row), driver_->validationInputs({row}));
  tabs_->setCurrentWidget(explain_);
}

void PreviewPanel::clear() {
  grid_->setRecords({});
  headNames_.clear();
  rebuildConfusionTabs();
  if (gallery_) gallery_->close();
  if (textGallery_) textGallery_->window()->close();
  inference_->clear();
  explain_->clear();
  misclassified_->clear();
  embedding_->clear();
  sequences_->clear();
  textInfo_.clear();
  driver_->setTextData(false);
  tabs_->tabBar()->moveTab(tabs_->indexOf(sequences_), tabs_->count() - 1);
  tabs_->setTabVisible(tabs_->indexOf(sequences_), false);
  for (int i = 0; i < tabs_->count(); ++i)
    if (tabs_->widget(i) != sequences_) tabs_->setTabVisible(i, true);
  status_->setText(tr("No training run yet"));
}

}  // namespace tessel::ui
