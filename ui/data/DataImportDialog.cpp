#include "ui/data/DataImportDialog.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "engine/core/Error.h"
#include "ui/data/AugmentationPage.h"
#include "ui/data/CsvSourcePage.h"
#include "ui/data/DataDialogFields.h"
#include "ui/data/ImageFolderSourcePage.h"
#include "ui/data/NormalizationPage.h"
#include "ui/data/PipelinePage.h"
#include "ui/data/SequenceSourcePage.h"
#include "ui/data/SourcePage.h"
#include "ui/data/SplitPage.h"
#include "ui/data/TextSourcePage.h"
#include "ui/data/TfRecordSourcePage.h"

namespace tessel::ui {

namespace {

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

// Settings written before the normalisation choice said "none" while the CSV import standardised
// its numeric features (the column default): the mode that shows what they do.
std::string shownNormalization(const DataSettings& s) {
  if (s.kind != "csv" || s.normalization != "none") return s.normalization;
  for (const auto& c : s.options.value("columns", nlohmann::json::array()))
    if (c.value("role", std::string("feature")) == "feature" &&
        c.value("type", std::string("numeric")) == "numeric" && c.value("standardize", true))
      return "standardize_per_feature";
  return s.normalization;
}

}  // namespace

QStringList DataImportDialog::columnChoices() {
  return CsvSourcePage::columnChoices();
}

QStringList DataImportDialog::normalizationModes() {
  QStringList modes;
  for (const char* m : kNormalizationModes) modes << m;
  return modes;
}

DataImportDialog::DataImportDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Data"));
  auto* top = new QVBoxLayout(this);
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("dataTabs");
  tabs_->addTab(source_ = new SourcePage(this), tr("Source"));
  tabs_->addTab(split_ = new SplitPage(this), tr("Split"));
  tabs_->addTab(norm_ = new NormalizationPage(this), tr("Normalisation"));
  tabs_->addTab(aug_ = new AugmentationPage(this), tr("Augmentation"));
  tabs_->addTab(pipeline_ = new PipelinePage(this), tr("Pipeline"));
  top->addWidget(tabs_, 1);

  result_ = new QLabel(this);
  result_->setObjectName("resultLabel");
  result_->setWordWrap(true);
  error_ = new QLabel(this);
  error_->setObjectName("errorLabel");
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #b00020;");
  top->addWidget(result_);
  top->addWidget(error_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  top->addWidget(buttons_);

  connect(buttons_, &QDialogButtonBox::accepted, this, &DataImportDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &DataImportDialog::reject);
  source_->csv()->setStandardizeSource([this] { return norm_->mode() == NormPerFeature; });
  wireSource();
  wireSplit();
  connect(norm_, &NormalizationPage::modeChanged, this, &DataImportDialog::forgetStatistics);
  updatePage();
  reload();
  resize(800, 640);
}

DataImportDialog::~DataImportDialog() {
  for (QObject* child : findChildren<QObject*>())
    QObject::disconnect(child, nullptr, this, nullptr);
}

// Line edits are connected here, with the dialog as the receiver, so that the destructor's
// disconnect covers the editingFinished a focused edit emits while it is deleted.
void DataImportDialog::wireSource() {
  connect(source_->kindCombo(), &QComboBox::currentIndexChanged, this, [this] {
    updatePage();
    if (loading_) return;
    norm_->applyKindDefaults(source_->kind());
    forgetStatistics();
    reload();
  });
  connect(source_->browseButton(), &QPushButton::clicked, this, &DataImportDialog::browse);
  connect(source_->pathEdit(), &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(source_->pathEdit(), &QLineEdit::textEdited, this, &DataImportDialog::forgetStatistics);
  CsvSourcePage* csv = source_->csv();
  connect(csv->naValueEdit(), &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(csv, &CsvSourcePage::choicesChanged, this, &DataImportDialog::updateCsvResult);
  ImageFolderSourcePage* image = source_->imageFolder();
  for (QSpinBox* s : {image->heightSpin(), image->widthSpin()}) {
    connect(s, &QSpinBox::valueChanged, this, &DataImportDialog::reload);
    connect(s, &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  }
  connect(image->colorCombo(), &QComboBox::currentIndexChanged, this, &DataImportDialog::reload);
  connect(image->colorCombo(), &QComboBox::currentIndexChanged, this,
          &DataImportDialog::forgetStatistics);
  connect(image->maxRowsSpin(), &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  connect(source_->tfrecord()->compressionCombo(), &QComboBox::currentIndexChanged, this,
          &DataImportDialog::reload);
  connect(source_->text(), &TextSourcePage::optionsChanged, this, &DataImportDialog::reload);
  auto* sequence = source_->findChild<SequenceSourcePage*>();
  connect(sequence, &SequenceSourcePage::optionsChanged, this, &DataImportDialog::reload);
  connect(sequence, &SequenceSourcePage::optionsChanged, this, &DataImportDialog::forgetStatistics);
}

void DataImportDialog::wireSplit() {
  connect(split_, &SplitPage::modeToggled, this, [this] {
    forgetStatistics();
    if (!loading_) reload();
  });
  connect(split_, &SplitPage::fractionsEdited, this, &DataImportDialog::forgetStatistics);
  connect(split_, &SplitPage::browseRequested, this, &DataImportDialog::browseGiven);
  connect(split_->seedSpin(), &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  connect(split_->trainFileEdit(), &QLineEdit::textEdited, this,
          &DataImportDialog::forgetStatistics);
  // With no source path, the training file is the one previewed (CSV columns, image classes).
  connect(split_->trainFileEdit(), &QLineEdit::editingFinished, this, [this] {
    if (source_->pathEdit()->text().trimmed().isEmpty()) reload();
  });
}

void DataImportDialog::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
    auto* edit = qobject_cast<QLineEdit*>(focusWidget());
    if (edit && !qobject_cast<QAbstractSpinBox*>(edit->parentWidget())) {
      event->accept();
      return;
    }
  }
  QDialog::keyPressEvent(event);
}

// ---- parts ------------------------------------------------------------------------------

QComboBox* DataImportDialog::kindCombo() const {
  return source_->kindCombo();
}
QLineEdit* DataImportDialog::pathEdit() const {
  return source_->pathEdit();
}
QTableWidget* DataImportDialog::previewTable() const {
  return source_->csv()->previewTable();
}
QComboBox* DataImportDialog::columnCombo(int column) const {
  return source_->csv()->columnCombo(column);
}
QLineEdit* DataImportDialog::naValueEdit() const {
  return source_->csv()->naValueEdit();
}
QComboBox* DataImportDialog::badRowsCombo() const {
  return source_->csv()->badRowsCombo();
}
QLabel* DataImportDialog::formatLabel() const {
  return source_->csv()->formatLabel();
}
QSpinBox* DataImportDialog::maxRowsSpin() const {
  return source_->imageFolder()->maxRowsSpin();
}
QSpinBox* DataImportDialog::cacheSpin() const {
  return source_->imageFolder()->cacheSpin();
}
QComboBox* DataImportDialog::annotationsCombo() const {
  return source_->imageFolder()->annotationsCombo();
}
QLineEdit* DataImportDialog::annotationsPathEdit() const {
  return source_->imageFolder()->annotationsPathEdit();
}
QComboBox* DataImportDialog::boxTargetCombo() const {
  return source_->imageFolder()->boxTargetCombo();
}
QRadioButton* DataImportDialog::fractionsRadio() const {
  return split_->fractionsRadio();
}
QRadioButton* DataImportDialog::givenFilesRadio() const {
  return split_->givenFilesRadio();
}
QDoubleSpinBox* DataImportDialog::trainFractionSpin() const {
  return split_->trainFractionSpin();
}
QDoubleSpinBox* DataImportDialog::validationFractionSpin() const {
  return split_->validationFractionSpin();
}
QDoubleSpinBox* DataImportDialog::testFractionSpin() const {
  return split_->testFractionSpin();
}
QSpinBox* DataImportDialog::seedSpin() const {
  return split_->seedSpin();
}
QLabel* DataImportDialog::fractionSumLabel() const {
  return split_->fractionSumLabel();
}
QLineEdit* DataImportDialog::trainFileEdit() const {
  return split_->trainFileEdit();
}
QLineEdit* DataImportDialog::validationFileEdit() const {
  return split_->validationFileEdit();
}
QLineEdit* DataImportDialog::testFileEdit() const {
  return split_->testFileEdit();
}
QComboBox* DataImportDialog::normalizationCombo() const {
  return norm_->normalizationCombo();
}
QLineEdit* DataImportDialog::rescaleEdit() const {
  return norm_->rescaleEdit();
}
QLineEdit* DataImportDialog::statisticsEdit() const {
  return norm_->statisticsEdit();
}
QGroupBox* DataImportDialog::augmentationGroup() const {
  return aug_->group();
}
QCheckBox* DataImportDialog::flipHorizontalCheck() const {
  return aug_->flipHorizontalCheck();
}
QCheckBox* DataImportDialog::flipVerticalCheck() const {
  return aug_->flipVerticalCheck();
}
QDoubleSpinBox* DataImportDialog::rotationSpin() const {
  return aug_->rotationSpin();
}
QDoubleSpinBox* DataImportDialog::zoomSpin() const {
  return aug_->zoomSpin();
}
QDoubleSpinBox* DataImportDialog::translateSpin() const {
  return aug_->translateSpin();
}
QDoubleSpinBox* DataImportDialog::contrastSpin() const {
  return aug_->contrastSpin();
}
QDoubleSpinBox* DataImportDialog::brightnessSpin() const {
  return aug_->brightnessSpin();
}
QSpinBox* DataImportDialog::augmentationSeedSpin() const {
  return aug_->seedSpin();
}
QLabel* DataImportDialog::augmentationHint() const {
  return aug_->hint();
}

TfRecordSourcePage* DataImportDialog::tfrecordPage() const {
  return source_->tfrecord();
}

QString DataImportDialog::errorText() const {
  return error_->text();
}

void DataImportDialog::setError(const QString& text) {
  error_->setText(text);
}

bool DataImportDialog::hasFittedStatistics() const {
  return norm_->hasFitted();
}

// ---- state ------------------------------------------------------------------------------

bool DataImportDialog::givenFiles() const {
  return isFileKind(source_->kind()) && split_->givenFiles();
}

std::string DataImportDialog::sourcePath() const {
  const std::string path = source_->pathEdit()->text().trimmed().toStdString();
  if (path.empty() && givenFiles()) return split_->trainFileEdit()->text().trimmed().toStdString();
  return path;
}

void DataImportDialog::updatePage() {
  const int kind = source_->kind();
  source_->showKind(kind);
  // Split: built-in sets have their own split (the localization set takes the seed).
  split_->setSourceKind(isFileKind(kind), kind == LocalizationKind || kind == SequenceKind);
  norm_->setSourceKind(kind);
  // Augmentation: image sources only (a flipped strip would no longer match its label order).
  aug_->setImageSource(kind != CsvKind && kind != TextKind && kind != SequenceKind);
  pipeline_->setStreamed(kind == TfRecordKind);
}

void DataImportDialog::forgetStatistics() {
  if (loading_ || !norm_->hasFitted()) return;
  norm_->forgetFitted();
}

void DataImportDialog::setFittedStatistics(double mean, double std) {
  norm_->setFitted(mean, std);
}

void DataImportDialog::browse() {
  DataSourcePage* page = source_->currentPage();
  const QString caption = page->browseCaption();
  if (caption.isEmpty()) return;
  const QString chosen = page->choose(this, caption, source_->pathEdit()->text());
  if (chosen.isEmpty()) return;
  source_->pathEdit()->setText(chosen);
  forgetStatistics();
  reload();
}

void DataImportDialog::browseGiven(QLineEdit* edit, const QString& caption) {
  const QString chosen = source_->currentPage()->choose(this, caption, edit->text());
  if (chosen.isEmpty()) return;
  edit->setText(chosen);
  if (edit == split_->trainFileEdit()) {
    forgetStatistics();
    if (source_->pathEdit()->text().trimmed().isEmpty()) reload();
  }
}

DataSettings DataImportDialog::current() const {
  DataSettings s;
  const int kind = source_->kind();
  s.kind = kDataKinds[std::max(0, kind)];
  const bool file = isFileKind(kind);
  if (file) s.path = source_->pathEdit()->text().trimmed().toStdString();
  split_->store(s, file);
  norm_->store(s);
  source_->currentPage()->store(s);
  aug_->store(s);
  pipeline_->store(s);
  return s;
}

nlohmann::json DataImportDialog::settings() const {
  return result_json_.is_null() ? current().toJson() : result_json_;
}

void DataImportDialog::setSettings(const nlohmann::json& json) {
  DataSettings s;
  try {
    s = DataSettings::fromJson(json);
  } catch (const std::exception& e) {
    setError(tr("The stored settings are not valid: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  loading_ = true;
  QComboBox* kind = source_->kindCombo();
  for (int i = 0; i < kind->count(); ++i)
    if (kind->itemData(i).toString().toStdString() == s.kind) kind->setCurrentIndex(i);
  source_->pathEdit()->setText(q(s.path));
  split_->load(s);
  if (kind->currentData().toString().toStdString() == s.kind) source_->currentPage()->load(s);
  norm_->load(s, shownNormalization(s));
  aug_->load(s);
  pipeline_->load(s);
  loading_ = false;
  updatePage();
  reload();
}

// ---- the source -------------------------------------------------------------------------

void DataImportDialog::showReport(const SourceReport& report) {
  result_->setText(report.result);
  if (!report.error.isEmpty()) setError(report.error);
  featureWidth_ = report.featureWidth;
}

void DataImportDialog::reload() {
  if (loading_) return;
  setError({});
  result_json_ = nullptr;
  featureWidth_ = 0;
  const int kind = source_->kind();
  const std::string path = sourcePath();
  try {
    if (isFileKind(kind) && path.empty()) {
      result_->setText(tr("Choose a file or folder."));
      source_->csv()->clearPreview();
      summary_ = q(kDataKinds[kind]);
      return;
    }
    const SourceReport report = source_->currentPage()->describe(path);
    showReport(report);
    summary_ = !report.summary.isEmpty()
                   ? report.summary
                   : q(kDataKinds[kind]) + (path.empty() ? QString() : " " + q(path));
  } catch (const std::exception& e) {
    result_->clear();
    setError(QString::fromUtf8(e.what()));
  }
}

void DataImportDialog::updateCsvResult() {
  if (source_->kind() != CsvKind || !source_->csv()->hasColumns()) return;
  setError({});
  featureWidth_ = 0;
  result_json_ = nullptr;
  try {
    const SourceReport report = source_->csv()->encode(sourcePath());
    showReport(report);
    summary_ = report.summary;
  } catch (const std::exception& e) {
    result_->clear();
    setError(QString::fromUtf8(e.what()));
  }
}

void DataImportDialog::accept() {
  setError({});
  const int kind = source_->kind();
  const bool file = isFileKind(kind);
  // Settings first (the split and normalisation tabs), then the source itself.
  try {
    if (file) split_->check(kind == ImageFolderKind);
  } catch (const std::exception& e) {
    result_json_ = nullptr;
    setError(QString::fromUtf8(e.what()));
    tabs_->setCurrentIndex(SplitTab);
    return;
  }
  if (file && norm_->mode() == NormRescale && !norm_->rescaleValid()) {
    result_json_ = nullptr;
    setError(tr("rescale factor '%1' is not a number (write e.g. 1/255 or 0.5)")
                 .arg(norm_->rescaleEdit()->text()));
    tabs_->setCurrentIndex(NormalizationTab);
    return;
  }

  const DataSettings s = current();
  const std::string path = sourcePath();
  try {
    if (file && path.empty()) throw Error("choose a file or folder first");
    const QString better = source_->currentPage()->check(s, path, split_->givenFiles());
    if (!better.isEmpty()) summary_ = better;
    nlohmann::json j = s.toJson();
    DataSettings::fromJson(j);  // validates fractions, kinds
    result_json_ = j;
  } catch (const std::exception& e) {
    result_json_ = nullptr;
    setError(QString::fromUtf8(e.what()));
    tabs_->setCurrentIndex(SourceTab);
    return;
  }
  QDialog::accept();
}

}  // namespace tessel::ui
