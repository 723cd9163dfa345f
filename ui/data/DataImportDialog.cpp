#include "ui/data/DataImportDialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <exception>
#include <optional>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/IdxPair.h"
#include "engine/data/ImageFolder.h"

namespace tessel::ui {

namespace {

enum Page { BuiltinPage, LocalizationPage, IdxPage, CsvPage, ImagePage };
enum Norm { NormNone, NormRescale, NormGlobal, NormPerFeature };

const char* const kKinds[] = {"fashion_mnist", "fashion_mnist_localization", "idx", "csv",
                              "image_folder"};
const char* const kNorms[] = {"none", "rescale", "standardize_global", "standardize_per_feature"};

constexpr int kDefaultCacheMb = 256;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "blanks";
  return QString("'%1'").arg(QChar(d));
}

bool isFileKind(int page) {
  return page == IdxPage || page == CsvPage || page == ImagePage;
}

// A double in its shortest text that reads back to the same value ("0.1", not "0.10000000000001").
QString shortest(double v) {
  for (int digits = 1; digits <= 17; ++digits) {
    const QString t = QString::number(v, 'g', digits);
    if (t.toDouble() == v) return t;
  }
  return QString::number(v, 'g', 17);
}

// The rescale factor as typed: a number or a fraction "a/b" (Keras users write 1./255).
std::optional<double> parseFactor(const QString& text) {
  const QString t = text.trimmed();
  const QLocale c = QLocale::c();
  bool ok = false;
  const int slash = t.indexOf('/');
  if (slash < 0) {
    const double v = c.toDouble(t, &ok);
    if (ok && std::isfinite(v)) return v;
    return std::nullopt;
  }
  bool okB = false;
  const double a = c.toDouble(t.left(slash).trimmed(), &ok);
  const double b = c.toDouble(t.mid(slash + 1).trimmed(), &okB);
  if (!ok || !okB || b == 0 || !std::isfinite(a / b)) return std::nullopt;
  return a / b;
}

// "1/255" for exactly 1.0 / 255.0 (the Keras default), else the shortest decimal.
QString factorText(double v) {
  if (v > 0 && v < 1) {
    const double n = std::round(1.0 / v);
    if (n >= 2 && n < 1e9 && 1.0 / n == v) return "1/" + QString::number(qint64(n));
  }
  return shortest(v);
}

// A spin box remembers the exact value it was loaded with (setSettings) until the user edits it,
// so stored values with more digits than the box shows round-trip unchanged.
void setExact(QDoubleSpinBox* spin, double v) {
  spin->setValue(v);
  spin->setProperty("exact", v);
}

double exactValue(const QDoubleSpinBox* spin) {
  const QVariant exact = spin->property("exact");
  return exact.isValid() ? exact.toDouble() : spin->value();
}

QDoubleSpinBox* factorSpin(QWidget* parent, const char* name, const QString& tip) {
  auto* s = new QDoubleSpinBox(parent);
  s->setObjectName(name);
  s->setRange(0, 1);
  s->setDecimals(3);
  s->setSingleStep(0.05);
  s->setToolTip(tip);
  return s;
}

void setItemEnabled(QComboBox* combo, int index, bool enabled) {
  if (auto* model = qobject_cast<QStandardItemModel*>(combo->model()))
    if (QStandardItem* item = model->item(index)) item->setEnabled(enabled);
}

}  // namespace

QStringList DataImportDialog::columnChoices() {
  return {"numeric", "categorical (one-hot)", "categorical (index)", "crossed", "label", "ignore"};
}

QStringList DataImportDialog::normalizationModes() {
  QStringList modes;
  for (const char* m : kNorms) modes << m;
  return modes;
}

DataImportDialog::DataImportDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Data"));
  auto* top = new QVBoxLayout(this);
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("dataTabs");
  tabs_->addTab(buildSourceTab(), tr("Source"));
  tabs_->addTab(buildSplitTab(), tr("Split"));
  tabs_->addTab(buildNormalizationTab(), tr("Normalisation"));
  tabs_->addTab(buildAugmentationTab(), tr("Augmentation"));
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
  connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
    updatePage();
    if (loading_) return;
    applyKindDefaults();
    forgetStatistics();
    reload();
  });
  connect(path_, &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(path_, &QLineEdit::textEdited, this, &DataImportDialog::forgetStatistics);
  connect(na_, &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(badRows_, &QComboBox::currentIndexChanged, this, &DataImportDialog::updateCsvResult);
  connect(crossBuckets_, &QSpinBox::valueChanged, this, &DataImportDialog::updateCsvResult);
  for (QSpinBox* s : {height_, width_}) {
    connect(s, &QSpinBox::valueChanged, this, &DataImportDialog::reload);
    connect(s, &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  }
  connect(color_, &QComboBox::currentIndexChanged, this, &DataImportDialog::reload);
  connect(color_, &QComboBox::currentIndexChanged, this, &DataImportDialog::forgetStatistics);
  connect(maxRows_, &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  updatePage();
  updateSplit();
  updateNormalization();
  reload();
  resize(800, 640);
}

DataImportDialog::~DataImportDialog() {
  for (QObject* child : findChildren<QObject*>())
    QObject::disconnect(child, nullptr, this, nullptr);
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

QWidget* DataImportDialog::buildSourceTab() {
  auto* tab = new QWidget(this);
  auto* layout = new QVBoxLayout(tab);
  auto* source = new QFormLayout;
  kind_ = new QComboBox(tab);
  kind_->setObjectName("kindCombo");
  kind_->addItem(tr("Fashion-MNIST (built in)"), kKinds[0]);
  kind_->addItem(tr("Fashion-MNIST localization (generated 64x64)"), kKinds[1]);
  kind_->addItem(tr("IDX image/label files"), kKinds[2]);
  kind_->addItem(tr("CSV table"), kKinds[3]);
  kind_->addItem(tr("Image folder (one subfolder per class)"), kKinds[4]);
  source->addRow(tr("Source"), kind_);
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(tab);
  path_->setObjectName("pathEdit");
  browse_ = new QPushButton(tr("Browse..."), tab);
  browse_->setObjectName("browseButton");
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse_);
  source->addRow(tr("File / folder"), pathRow);
  layout->addLayout(source);
  connect(browse_, &QPushButton::clicked, this, &DataImportDialog::browse);

  pages_ = new QStackedWidget(tab);
  // Built-in: nothing to choose.
  auto* builtin = new QLabel(
      tr("The seed's split: 55,000 training and 5,000 validation images, standardised."), tab);
  builtin->setWordWrap(true);
  builtin->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  pages_->addWidget(builtin);
  // Localization.
  auto* loc = new QWidget(tab);
  auto* locForm = new QFormLayout(loc);
  locCount_ = new QSpinBox(loc);
  locCount_->setObjectName("locCountSpin");
  locCount_->setRange(16, 200000);
  locCount_->setValue(10000);
  locValid_ = new QSpinBox(loc);
  locValid_->setObjectName("locValidSpin");
  locValid_->setRange(0, 50000);
  locValid_->setValue(1000);
  locForm->addRow(tr("Training items"), locCount_);
  locForm->addRow(tr("Validation items"), locValid_);
  pages_->addWidget(loc);
  // IDX.
  auto* idx = new QLabel(tr("A file of an image/label pair, or a folder holding pairs."), tab);
  idx->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  pages_->addWidget(idx);
  // CSV.
  auto* csv = new QWidget(tab);
  auto* csvLayout = new QVBoxLayout(csv);
  csvLayout->setContentsMargins(0, 0, 0, 0);
  auto* csvForm = new QFormLayout;
  na_ = new QLineEdit(csv);
  na_->setObjectName("naValueEdit");
  na_->setPlaceholderText(tr("e.g. ?"));
  badRows_ = new QComboBox(csv);
  badRows_->setObjectName("badRowsCombo");
  badRows_->addItem(tr("refuse (stop at the first bad row)"), "refuse");
  badRows_->addItem(tr("skip (leave bad rows out, listed)"), "skip");
  crossBuckets_ = new QSpinBox(csv);
  crossBuckets_->setObjectName("crossBucketsSpin");
  crossBuckets_->setRange(1, 100000);
  crossBuckets_->setValue(16);
  format_ = new QLabel(csv);
  format_->setObjectName("formatLabel");
  csvForm->addRow(tr("Detected"), format_);
  csvForm->addRow(tr("na_value"), na_);
  csvForm->addRow(tr("Bad rows"), badRows_);
  csvForm->addRow(tr("Crossed hash buckets"), crossBuckets_);
  csvLayout->addLayout(csvForm);
  table_ = new QTableWidget(csv);
  table_->setObjectName("previewTable");
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setMinimumHeight(120);
  csvLayout->addWidget(table_, 1);
  pages_->addWidget(csv);
  // Image folder.
  auto* img = new QWidget(tab);
  auto* imgForm = new QFormLayout(img);
  height_ = new QSpinBox(img);
  height_->setObjectName("heightSpin");
  width_ = new QSpinBox(img);
  width_->setObjectName("widthSpin");
  for (QSpinBox* s : {height_, width_}) {
    s->setRange(1, 1024);
    s->setValue(64);
  }
  color_ = new QComboBox(img);
  color_->setObjectName("colorCombo");
  color_->addItem(tr("RGB"), false);
  color_->addItem(tr("Grayscale"), true);
  maxRows_ = new QSpinBox(img);
  maxRows_->setObjectName("maxRowsSpin");
  maxRows_->setRange(0, 100000000);
  maxRows_->setValue(0);
  maxRows_->setSpecialValueText(tr("all"));
  maxRows_->setToolTip(
      tr("Use at most this many images (a seeded sample when the folder holds more); 0 = all"));
  cacheMb_ = new QSpinBox(img);
  cacheMb_->setObjectName("cacheSpin");
  cacheMb_->setRange(1, 1 << 20);
  cacheMb_->setValue(kDefaultCacheMb);
  cacheMb_->setSuffix(tr(" MiB"));
  cacheMb_->setToolTip(tr("Decoded images kept in memory while training reads the folder"));
  annotations_ = new QComboBox(img);
  annotations_->setObjectName("annotationsCombo");
  annotations_->addItem(tr("none"), "");
  annotations_->addItem(tr("box CSV (filename, y_min, x_min, y_max, x_max, label)"), "csv");
  annotations_->addItem(tr("Pascal VOC XML (file or folder)"), "voc");
  auto* annRow = new QHBoxLayout;
  annotationsPath_ = new QLineEdit(img);
  annotationsPath_->setObjectName("annotationsPathEdit");
  auto* annBrowse = new QPushButton(tr("Browse..."), img);
  annRow->addWidget(annotationsPath_, 1);
  annRow->addWidget(annBrowse);
  boxTarget_ = new QComboBox(img);
  boxTarget_->setObjectName("boxTargetCombo");
  boxTarget_->addItem(tr("first box"), "first");
  boxTarget_->addItem(tr("largest box"), "largest");
  boxTarget_->setToolTip(tr("The box each image is trained to predict, of the ones annotated"));
  imgForm->addRow(tr("Height"), height_);
  imgForm->addRow(tr("Width"), width_);
  imgForm->addRow(tr("Colour"), color_);
  imgForm->addRow(tr("Use at most N images"), maxRows_);
  imgForm->addRow(tr("Cache"), cacheMb_);
  imgForm->addRow(tr("Box annotations"), annotations_);
  imgForm->addRow(tr("Annotation file"), annRow);
  imgForm->addRow(tr("Box target"), boxTarget_);
  pages_->addWidget(img);
  layout->addWidget(pages_, 1);
  connect(annBrowse, &QPushButton::clicked, this, &DataImportDialog::browseAnnotations);
  connect(annotations_, &QComboBox::currentIndexChanged, this, &DataImportDialog::updatePage);
  return tab;
}

QWidget* DataImportDialog::buildSplitTab() {
  auto* tab = new QWidget(this);
  auto* layout = new QVBoxLayout(tab);
  fractionsRadio_ = new QRadioButton(tr("Fractions of the source, shuffled with a seed"), tab);
  fractionsRadio_->setObjectName("fractionsRadio");
  givenRadio_ = new QRadioButton(tr("Given files (the fractions are not used)"), tab);
  givenRadio_->setObjectName("givenFilesRadio");
  auto* group = new QButtonGroup(tab);
  group->addButton(fractionsRadio_);
  group->addButton(givenRadio_);
  fractionsRadio_->setChecked(true);

  layout->addWidget(fractionsRadio_);
  auto* fractions = new QGridLayout;
  fractions->setContentsMargins(24, 0, 0, 0);
  train_ = new QDoubleSpinBox(tab);
  train_->setObjectName("trainFractionSpin");
  valid_ = new QDoubleSpinBox(tab);
  valid_->setObjectName("validFractionSpin");
  test_ = new QDoubleSpinBox(tab);
  test_->setObjectName("testFractionSpin");
  for (QDoubleSpinBox* s : {train_, valid_, test_}) {
    s->setRange(0, 1);
    s->setSingleStep(0.05);
    s->setDecimals(3);
  }
  train_->setValue(0.8);
  valid_->setValue(0.1);
  test_->setValue(0.1);
  seed_ = new QSpinBox(tab);
  seed_->setObjectName("seedSpin");
  seed_->setRange(0, 1 << 30);
  seed_->setToolTip(tr("Seed of the shuffle before splitting (and of the generated set)"));
  fractionSum_ = new QLabel(tab);
  fractionSum_->setObjectName("fractionSumLabel");
  fractions->addWidget(new QLabel(tr("Train"), tab), 0, 0);
  fractions->addWidget(train_, 0, 1);
  fractions->addWidget(new QLabel(tr("Validation"), tab), 1, 0);
  fractions->addWidget(valid_, 1, 1);
  fractions->addWidget(new QLabel(tr("Test"), tab), 2, 0);
  fractions->addWidget(test_, 2, 1);
  fractions->addWidget(new QLabel(tr("Seed"), tab), 3, 0);
  fractions->addWidget(seed_, 3, 1);
  fractions->addWidget(fractionSum_, 4, 0, 1, 3);
  fractions->setColumnStretch(2, 1);
  layout->addLayout(fractions);

  layout->addSpacing(8);
  layout->addWidget(givenRadio_);
  auto* given = new QGridLayout;
  given->setContentsMargins(24, 0, 0, 0);
  auto addFile = [&](int row, const QString& label, const char* name, QLineEdit*& edit) {
    edit = new QLineEdit(tab);
    edit->setObjectName(name);
    auto* b = new QPushButton(tr("Browse..."), tab);
    b->setObjectName(QString(name).replace("Edit", "Browse"));
    auto* l = new QLabel(label, tab);
    given->addWidget(l, row, 0);
    given->addWidget(edit, row, 1);
    given->addWidget(b, row, 2);
    givenWidgets_ << l << edit << b;
    connect(b, &QPushButton::clicked, this, [this, edit, label] { browseGiven(edit, label); });
  };
  addFile(0, tr("Training"), "trainFileEdit", trainFile_);
  addFile(1, tr("Validation"), "validationFileEdit", validFile_);
  addFile(2, tr("Test"), "testFileEdit", testFile_);
  trainFile_->setPlaceholderText(tr("required"));
  validFile_->setPlaceholderText(tr("optional"));
  testFile_->setPlaceholderText(tr("optional (kept for evaluation, not used by fit)"));
  given->setColumnStretch(1, 1);
  layout->addLayout(given);
  splitNote_ = new QLabel(tab);
  splitNote_->setObjectName("splitNoteLabel");
  splitNote_->setWordWrap(true);
  layout->addSpacing(8);
  layout->addWidget(splitNote_);
  layout->addStretch(1);

  connect(fractionsRadio_, &QRadioButton::toggled, this, [this] {
    updateSplit();
    forgetStatistics();
    if (!loading_) reload();
  });
  for (QDoubleSpinBox* s : {train_, valid_, test_})
    connect(s, &QDoubleSpinBox::valueChanged, this, [this, s] {
      if (loading_) return;
      s->setProperty("exact", QVariant());
      updateSplit();
      forgetStatistics();
    });
  connect(seed_, &QSpinBox::valueChanged, this, &DataImportDialog::forgetStatistics);
  connect(trainFile_, &QLineEdit::textEdited, this, &DataImportDialog::forgetStatistics);
  // With no source path, the training file is the one previewed (CSV columns, image classes).
  connect(trainFile_, &QLineEdit::editingFinished, this, [this] {
    if (path_->text().trimmed().isEmpty()) reload();
  });
  return tab;
}

QWidget* DataImportDialog::buildNormalizationTab() {
  auto* tab = new QWidget(this);
  auto* layout = new QVBoxLayout(tab);
  auto* form = new QFormLayout;
  norm_ = new QComboBox(tab);
  norm_->setObjectName("normalizationCombo");
  norm_->addItem(tr("none"), kNorms[NormNone]);
  norm_->addItem(tr("rescale (x * factor, Keras Rescaling)"), kNorms[NormRescale]);
  norm_->addItem(tr("standardize_global (one mean/std over the training split)"),
                 kNorms[NormGlobal]);
  norm_->addItem(tr("standardize_per_feature (per CSV column, fitted on the training split)"),
                 kNorms[NormPerFeature]);
  rescale_ = new QLineEdit(factorText(1.0 / 255.0), tab);
  rescale_->setObjectName("rescaleEdit");
  rescale_->setToolTip(tr("A number or a fraction such as 1/255"));
  stats_ = new QLineEdit(tab);
  stats_->setObjectName("statisticsEdit");
  stats_->setReadOnly(true);
  form->addRow(tr("Mode"), norm_);
  form->addRow(tr("Rescale factor"), rescale_);
  form->addRow(tr("Fitted statistics"), stats_);
  layout->addLayout(form);
  normNote_ = new QLabel(tab);
  normNote_->setObjectName("normalizationNoteLabel");
  normNote_->setWordWrap(true);
  layout->addWidget(normNote_);
  layout->addStretch(1);
  connect(norm_, &QComboBox::currentIndexChanged, this, [this] {
    updateNormalization();
    forgetStatistics();
  });
  return tab;
}

QWidget* DataImportDialog::buildAugmentationTab() {
  auto* tab = new QWidget(this);
  auto* layout = new QVBoxLayout(tab);
  augGroup_ = new QGroupBox(tr("Random augmentation of training images"), tab);
  augGroup_->setObjectName("augmentationGroup");
  auto* form = new QFormLayout(augGroup_);
  auto* flips = new QHBoxLayout;
  flipH_ = new QCheckBox(tr("horizontal"), augGroup_);
  flipH_->setObjectName("flipHorizontalCheck");
  flipV_ = new QCheckBox(tr("vertical"), augGroup_);
  flipV_->setObjectName("flipVerticalCheck");
  flips->addWidget(flipH_);
  flips->addWidget(flipV_);
  flips->addStretch(1);
  rotation_ = factorSpin(augGroup_, "rotationSpin",
                         tr("RandomRotation factor: a fraction of a full turn (0.1 = up to 36°)"));
  zoom_ = factorSpin(augGroup_, "zoomSpin", tr("RandomZoom height factor: zoom by up to +-factor"));
  translate_ = factorSpin(augGroup_, "translateSpin",
                          tr("RandomTranslation factor: shift by up to this fraction of the size"));
  contrast_ = factorSpin(augGroup_, "contrastSpin",
                         tr("RandomContrast factor: contrast in [1 - factor, 1 + factor]"));
  brightness_ =
      factorSpin(augGroup_, "brightnessSpin",
                 tr("RandomBrightness factor: shift by up to this fraction of the range"));
  augSeed_ = new QSpinBox(augGroup_);
  augSeed_->setObjectName("augmentationSeedSpin");
  augSeed_->setRange(0, 1 << 30);
  form->addRow(tr("RandomFlip"), flips);
  form->addRow(tr("RandomRotation"), rotation_);
  form->addRow(tr("RandomZoom"), zoom_);
  form->addRow(tr("RandomTranslation"), translate_);
  form->addRow(tr("RandomContrast"), contrast_);
  form->addRow(tr("RandomBrightness"), brightness_);
  form->addRow(tr("Seed"), augSeed_);
  layout->addWidget(augGroup_);
  augHint_ = new QLabel(
      tr("Augmentation applies to training batches only; validation and test data are never "
         "augmented. Bounding boxes follow flips, zoom, translation and rotation. Factors are "
         "Keras's: 0 = off."),
      tab);
  augHint_->setObjectName("augmentationHintLabel");
  augHint_->setWordWrap(true);
  layout->addWidget(augHint_);
  layout->addStretch(1);
  for (QDoubleSpinBox* s : {rotation_, zoom_, translate_, contrast_, brightness_})
    connect(s, &QDoubleSpinBox::valueChanged, this, [this, s] {
      if (!loading_) s->setProperty("exact", QVariant());
    });
  return tab;
}

QComboBox* DataImportDialog::columnCombo(int column) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(0, column));
}

QString DataImportDialog::errorText() const {
  return error_->text();
}

void DataImportDialog::setError(const QString& text) {
  error_->setText(text);
}

bool DataImportDialog::givenFiles() const {
  return isFileKind(kind_->currentIndex()) && givenRadio_->isChecked();
}

std::string DataImportDialog::sourcePath() const {
  const std::string path = path_->text().trimmed().toStdString();
  if (path.empty() && givenFiles()) return trainFile_->text().trimmed().toStdString();
  return path;
}

void DataImportDialog::updatePage() {
  const int page = kind_->currentIndex();
  pages_->setCurrentIndex(page);
  const bool file = isFileKind(page);
  path_->setEnabled(file);
  browse_->setEnabled(file);
  // Annotation path and box target only mean something with annotations.
  const bool boxes = !annotations_->currentData().toString().isEmpty();
  annotationsPath_->setEnabled(boxes);
  boxTarget_->setEnabled(boxes);
  // Split: built-in sets have their own split (the localization set takes the seed).
  fractionsRadio_->setEnabled(file);
  givenRadio_->setEnabled(file);
  seed_->setEnabled(file || page == LocalizationPage);
  splitNote_->setText(file ? QString()
                           : tr("The built-in sets have their own training/validation split."));
  // Normalisation: per feature is for CSV columns; the CSV import only standardises per column.
  const bool csv = page == CsvPage;
  norm_->setEnabled(file);
  setItemEnabled(norm_, NormRescale, !csv);
  setItemEnabled(norm_, NormGlobal, !csv);
  setItemEnabled(norm_, NormPerFeature, csv);
  if (file && (csv ? (norm_->currentIndex() == NormRescale || norm_->currentIndex() == NormGlobal)
                   : norm_->currentIndex() == NormPerFeature))
    norm_->setCurrentIndex(NormNone);
  // Augmentation: image sources only.
  augGroup_->setEnabled(!csv);
  updateSplit();
  updateNormalization();
}

void DataImportDialog::updateSplit() {
  const bool file = isFileKind(kind_->currentIndex());
  const bool given = givenRadio_->isChecked();
  for (QDoubleSpinBox* s : {train_, valid_, test_}) s->setEnabled(file && !given);
  for (QWidget* w : givenWidgets_) w->setEnabled(file && given);
  const double sum = train_->value() + valid_->value() + test_->value();
  fractionSum_->setText(
      sum > 1 + 1e-9
          ? tr("Sum %1: the fractions must sum to at most 1").arg(sum)
          : tr("Sum %1 (%2 of the rows left out)").arg(sum).arg(std::max(0.0, 1 - sum), 0, 'g', 3));
  fractionSum_->setEnabled(file && !given);
  fractionSum_->setStyleSheet(sum > 1 + 1e-9 && file && !given ? "color: #b00020;" : QString());
}

void DataImportDialog::updateNormalization() {
  const int page = kind_->currentIndex();
  const int mode = norm_->currentIndex();
  rescale_->setEnabled(norm_->isEnabled() && mode == NormRescale);
  stats_->setEnabled(norm_->isEnabled() && mode == NormGlobal);
  if (mode == NormGlobal && fitted_)
    stats_->setText(tr("mean %1, std %2").arg(shortest(fittedMean_), shortest(fittedStd_)));
  else if (mode == NormGlobal)
    stats_->setText(tr("not fitted yet (fitted on the training split when the data is loaded)"));
  else
    stats_->clear();
  QString note;
  if (page == BuiltinPage)
    note = tr("Built-in Fashion-MNIST is standardised as the seed does (one mean/std).");
  else if (page == LocalizationPage)
    note = tr("The generated localization images are in [0, 1].");
  else if (mode == NormRescale)
    note = tr("x * factor, as Keras's Rescaling layer (1/255 maps 0..255 to 0..1).");
  else if (mode == NormGlobal)
    note = tr("(x - mean) / std with one mean and std over every value of the training split.");
  else if (mode == NormPerFeature)
    note =
        tr("Each numeric CSV column: (x - mean) / std over the training split (scikit-learn "
           "StandardScaler).");
  else
    note = tr("The values are used as they are.");
  normNote_->setText(note);
}

void DataImportDialog::applyKindDefaults() {
  // Images are 0..255: Rescaling(1/255); CSV numeric columns are standardised per feature.
  const int page = kind_->currentIndex();
  if (page == CsvPage)
    norm_->setCurrentIndex(NormPerFeature);
  else if (page == IdxPage || page == ImagePage)
    norm_->setCurrentIndex(NormRescale);
  else
    norm_->setCurrentIndex(NormNone);
}

void DataImportDialog::forgetStatistics() {
  if (loading_ || !fitted_) return;
  fitted_ = false;
  fittedMean_ = 0.0;
  fittedStd_ = 1.0;
  updateNormalization();
}

void DataImportDialog::setFittedStatistics(double mean, double std) {
  if (!(std > 0) || !std::isfinite(mean)) return;
  fitted_ = true;
  fittedMean_ = mean;
  fittedStd_ = std;
  updateNormalization();
}

void DataImportDialog::browse() {
  const int page = kind_->currentIndex();
  QString chosen;
  if (page == ImagePage || page == IdxPage)
    chosen = page == ImagePage
                 ? QFileDialog::getExistingDirectory(this, tr("Image folder"), path_->text())
                 : QFileDialog::getOpenFileName(this, tr("IDX file"), path_->text());
  else if (page == CsvPage)
    chosen = QFileDialog::getOpenFileName(this, tr("CSV file"), path_->text(),
                                          tr("Tables (*.csv *.tsv *.txt *.data *.gz);;All (*)"));
  if (chosen.isEmpty()) return;
  path_->setText(chosen);
  forgetStatistics();
  reload();
}

void DataImportDialog::browseGiven(QLineEdit* edit, const QString& caption) {
  const int page = kind_->currentIndex();
  QString chosen;
  if (page == ImagePage)
    chosen = QFileDialog::getExistingDirectory(this, caption, edit->text());
  else if (page == CsvPage)
    chosen = QFileDialog::getOpenFileName(this, caption, edit->text(),
                                          tr("Tables (*.csv *.tsv *.txt *.data *.gz);;All (*)"));
  else
    chosen = QFileDialog::getOpenFileName(this, caption, edit->text());
  if (chosen.isEmpty()) return;
  edit->setText(chosen);
  if (edit == trainFile_) {
    forgetStatistics();
    if (path_->text().trimmed().isEmpty()) reload();
  }
}

void DataImportDialog::browseAnnotations() {
  const QString chosen =
      QFileDialog::getOpenFileName(this, tr("Box annotations"), annotationsPath_->text(),
                                   tr("Annotations (*.csv *.xml);;All (*)"));
  if (!chosen.isEmpty()) annotationsPath_->setText(chosen);
}

nlohmann::json DataImportDialog::csvOptions() const {
  CsvSpec spec;
  spec.naValues = {""};
  if (!na_->text().trimmed().isEmpty())
    spec.naValues.push_back(na_->text().trimmed().toStdString());
  spec.badRows = badRows_->currentData().toString() == "skip" ? BadRows::Skip : BadRows::Refuse;
  // The CSV import standardises numeric feature columns itself: the mode decides the flag.
  const bool standardize = norm_->currentIndex() == NormPerFeature;
  CrossedColumnSpec cross;
  cross.hashBucketSize = crossBuckets_->value();
  for (int c = 0; c < columns_.size(); ++c) {
    QComboBox* combo = columnCombo(c);
    const int choice = combo ? combo->currentIndex() : 5;
    CsvColumnSpec col;
    col.name = columns_[c].toStdString();
    switch (choice) {
      case 0:
        col.type = ColumnType::Numeric;
        col.standardize = standardize;
        break;
      case 1:
      case 2:
        col.type = ColumnType::Categorical;
        col.encoding = choice == 1 ? CategoricalEncoding::OneHot : CategoricalEncoding::Index;
        break;
      case 3:
        cross.keys.push_back(col.name);
        continue;
      case 4: {
        col.role = ColumnRole::Label;
        // A text label becomes class ids 0..K-1; a numeric one is taken as it is.
        const bool numeric = combo && combo->property("numeric").toBool();
        col.type = numeric ? ColumnType::Numeric : ColumnType::Categorical;
        col.standardize = false;
        break;
      }
      default:
        continue;
    }
    spec.columns.push_back(col);
  }
  if (!cross.keys.empty()) spec.crossed.push_back(cross);
  nlohmann::json j = spec.toJson();
  if (!csvFormat_.is_null()) j["format"] = csvFormat_;
  return j;
}

DataSettings DataImportDialog::current() const {
  DataSettings s;
  s.kind = kKinds[std::max(0, kind_->currentIndex())];
  const int page = kind_->currentIndex();
  const bool file = isFileKind(page);
  if (file) s.path = path_->text().trimmed().toStdString();
  s.fractions = {exactValue(train_), exactValue(valid_), exactValue(test_)};
  s.splitSeed = static_cast<std::uint64_t>(seed_->value());
  if (file && givenRadio_->isChecked()) {
    s.trainFile = trainFile_->text().trimmed().toStdString();
    s.validationFile = validFile_->text().trimmed().toStdString();
    s.testFile = testFile_->text().trimmed().toStdString();
    // The fractions are not used with given files, but DataSettings still checks them.
    if (s.fractions[0] + s.fractions[1] + s.fractions[2] > 1 + 1e-9)
      s.fractions = DataSettings().fractions;
  }
  if (page == LocalizationPage) {
    s.options = {{"count", locCount_->value()},
                 {"validation_count", locValid_->value()},
                 {"seed", seed_->value() == 0 ? 1 : seed_->value()}};
  } else if (page == CsvPage) {
    s.options = csvOptions();
  } else if (page == ImagePage) {
    s.options = {{"height", height_->value()},
                 {"width", width_->value()},
                 {"grayscale", color_->currentData().toBool()},
                 {"cache_mb", cacheMb_->value()},
                 {"box_target", boxTarget_->currentData().toString().toStdString()}};
    if (maxRows_->value() > 0) s.options["max_rows"] = maxRows_->value();  // absent = all
    s.annotations = annotations_->currentData().toString().toStdString();
    if (!s.annotations.empty()) s.annotationsPath = annotationsPath_->text().toStdString();
  }
  s.normalization = kNorms[std::max(0, norm_->currentIndex())];
  if (std::optional<double> f = parseFactor(rescale_->text())) s.rescale = *f;
  if (s.normalization == "standardize_global" && fitted_) {
    s.mean = fittedMean_;
    s.std = fittedStd_;
  }
  auto& a = s.augmentation;
  a.flipHorizontal = flipH_->isChecked();
  a.flipVertical = flipV_->isChecked();
  a.rotation = exactValue(rotation_);
  a.zoom = exactValue(zoom_);
  a.translate = exactValue(translate_);
  a.contrast = exactValue(contrast_);
  a.brightness = exactValue(brightness_);
  a.seed = static_cast<std::uint64_t>(augSeed_->value());
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
  for (int i = 0; i < kind_->count(); ++i)
    if (kind_->itemData(i).toString().toStdString() == s.kind) kind_->setCurrentIndex(i);
  path_->setText(q(s.path));
  if (s.fractions.size() == 3) {
    setExact(train_, s.fractions[0]);
    setExact(valid_, s.fractions[1]);
    setExact(test_, s.fractions[2]);
  }
  seed_->setValue(static_cast<int>(s.splitSeed));
  (s.trainFile.empty() ? fractionsRadio_ : givenRadio_)->setChecked(true);
  trainFile_->setText(q(s.trainFile));
  validFile_->setText(q(s.validationFile));
  testFile_->setText(q(s.testFile));
  const nlohmann::json& o = s.options;
  std::string normalization = s.normalization;
  if (s.kind == "fashion_mnist_localization") {
    locCount_->setValue(o.value("count", 10000));
    locValid_->setValue(o.value("validation_count", 1000));
  } else if (s.kind == "image_folder") {
    height_->setValue(o.value("height", 64));
    width_->setValue(o.value("width", 64));
    color_->setCurrentIndex(o.value("grayscale", false) ? 1 : 0);
    maxRows_->setValue(o.value("max_rows", 0));
    cacheMb_->setValue(o.value("cache_mb", kDefaultCacheMb));
    boxTarget_->setCurrentIndex(o.value("box_target", std::string("first")) == "largest" ? 1 : 0);
    annotations_->setCurrentIndex(s.annotations == "csv" ? 1 : s.annotations == "voc" ? 2 : 0);
    annotationsPath_->setText(q(s.annotationsPath));
  } else if (s.kind == "csv") {
    if (o.contains("na_values"))
      for (const auto& v : o["na_values"])
        if (v.is_string() && !v.get<std::string>().empty()) na_->setText(q(v.get<std::string>()));
    badRows_->setCurrentIndex(o.value("bad_rows", std::string("refuse")) == "skip" ? 1 : 0);
    pendingColumns_ = o.value("columns", nlohmann::json::array());
    if (o.contains("crossed") && !o["crossed"].empty())
      crossBuckets_->setValue(o["crossed"][0].value("hash_bucket_size", 16));
    for (const auto& c : o.value("crossed", nlohmann::json::array()))
      for (const auto& k : c.value("keys", nlohmann::json::array()))
        pendingColumns_.push_back({{"name", k}, {"role", "crossed"}});
    // Settings written before the normalisation choice said "none" while the CSV import
    // standardised its numeric features (the column default): show what they do.
    if (normalization == "none")
      for (const auto& c : o.value("columns", nlohmann::json::array()))
        if (c.value("role", std::string("feature")) == "feature" &&
            c.value("type", std::string("numeric")) == "numeric" && c.value("standardize", true))
          normalization = "standardize_per_feature";
  }
  for (int i = 0; i < norm_->count(); ++i)
    if (norm_->itemData(i).toString().toStdString() == normalization) norm_->setCurrentIndex(i);
  rescale_->setText(factorText(s.rescale));
  fitted_ = s.normalization == "standardize_global" && !(s.mean == 0.0 && s.std == 1.0);
  fittedMean_ = fitted_ ? s.mean : 0.0;
  fittedStd_ = fitted_ ? s.std : 1.0;
  const auto& a = s.augmentation;
  flipH_->setChecked(a.flipHorizontal);
  flipV_->setChecked(a.flipVertical);
  setExact(rotation_, a.rotation);
  setExact(zoom_, a.zoom);
  setExact(translate_, a.translate);
  setExact(contrast_, a.contrast);
  setExact(brightness_, a.brightness);
  augSeed_->setValue(static_cast<int>(a.seed));
  loading_ = false;
  updatePage();
  reload();
}

void DataImportDialog::reload() {
  if (loading_) return;
  setError({});
  result_json_ = nullptr;
  featureWidth_ = 0;
  const int page = kind_->currentIndex();
  const std::string path = sourcePath();
  try {
    if (page == BuiltinPage) {
      result_->setText(fashionMnistAvailable()
                           ? tr("x (55000, 28, 28), y (55000,); validation x (5000, 28, 28)")
                           : QString());
      if (!fashionMnistAvailable())
        setError(tr("Fashion-MNIST not found in %1 (install dataset-fashion-mnist)")
                     .arg(kFashionMnistDir));
    } else if (page == LocalizationPage) {
      result_->setText(tr("x (%1, 64, 64, 1), y [class (%1,), box (%1, 4)]; validation %2 items")
                           .arg(locCount_->value())
                           .arg(locValid_->value()));
      if (!fashionMnistAvailable())
        setError(tr("Fashion-MNIST not found in %1 (install dataset-fashion-mnist)")
                     .arg(kFashionMnistDir));
    } else if (path.empty()) {
      result_->setText(tr("Choose a file or folder."));
      table_->clear();
      table_->setRowCount(0);
      table_->setColumnCount(0);
      columns_.clear();
    } else if (page == IdxPage) {
      std::vector<IdxPair> pairs = findIdxPairs(path);
      QStringList names;
      for (const IdxPair& p : pairs)
        names << q(p.name) + (p.labels.empty() ? tr(" (no labels)") : QString());
      result_->setText(
          tr("IDX pairs: %1 (the \"train\" pair, else the first, is used)").arg(names.join(", ")));
    } else if (page == ImagePage) {
      ImageFolderOptions io;
      io.height = height_->value();
      io.width = width_->value();
      io.grayscale = color_->currentData().toBool();
      ImageFolder folder(path, io);
      result_->setText(tr("%1 images, %2 classes -> x (N, %3, %4, %5), y (N,)")
                           .arg(folder.size())
                           .arg(folder.classNames().size())
                           .arg(io.height)
                           .arg(io.width)
                           .arg(folder.channels()));
    } else if (page == CsvPage) {
      std::vector<std::string> na{""};
      if (!na_->text().trimmed().isEmpty()) na.push_back(na_->text().trimmed().toStdString());
      CsvSpec suggested = suggestCsvSpec(path, na);
      const CsvFormat& f = *suggested.format;
      CsvSpec formatOnly;
      formatOnly.format = f;
      csvFormat_ = formatOnly.toJson()["format"];
      format_->setText(
          tr("delimiter %1, %2%3")
              .arg(delimiterName(f.delimiter))
              .arg(f.header ? tr("header line") : tr("no header"))
              .arg(f.sklearnHeader ? tr(", scikit-learn first line skipped") : QString()));
      columns_.clear();
      for (const auto& n : f.columnNames) columns_ << q(n);
      // The raw first rows.
      CsvSpec raw = suggested;
      raw.badRows = BadRows::Skip;
      CsvPreview preview = previewCsv(path, raw, 8, 1000);
      table_->clear();
      table_->setColumnCount(columns_.size());
      table_->setRowCount(1 + static_cast<int>(preview.rows.size()));
      table_->setHorizontalHeaderLabels(columns_);
      QStringList rowNames{tr("use as")};
      for (auto line : preview.lines) rowNames << QString::number(line);
      table_->setVerticalHeaderLabels(rowNames);
      for (int r = 0; r < static_cast<int>(preview.rows.size()); ++r)
        for (int c = 0; c < static_cast<int>(preview.rows[size_t(r)].size()) && c < columns_.size();
             ++c)
          table_->setItem(r + 1, c, new QTableWidgetItem(q(preview.rows[size_t(r)][size_t(c)])));
      // One combo per column: the suggestion, or the stored choice.
      for (int c = 0; c < columns_.size(); ++c) {
        auto* combo = new QComboBox(table_);
        combo->setObjectName(QString("columnCombo_%1").arg(c));
        combo->addItems(columnChoices());
        const bool numeric = size_t(c) < f.numeric.size() && f.numeric[size_t(c)];
        combo->setProperty("numeric", numeric);
        int choice = 5;
        for (const CsvColumnSpec& s : suggested.columns)
          if (q(s.name) == columns_[c])
            choice = s.role == ColumnRole::Label                 ? 4
                     : s.role == ColumnRole::Ignore              ? 5
                     : s.type == ColumnType::Numeric             ? 0
                     : s.encoding == CategoricalEncoding::OneHot ? 1
                                                                 : 2;
        if (!pendingColumns_.is_null() && !pendingColumns_.empty()) {
          choice = 5;
          for (const auto& pc : pendingColumns_) {
            if (q(pc.value("name", std::string())) != columns_[c]) continue;
            const std::string role = pc.value("role", std::string("feature"));
            const std::string type = pc.value("type", std::string("numeric"));
            choice = role == "label"                                           ? 4
                     : role == "ignore"                                        ? 5
                     : role == "crossed"                                       ? 3
                     : type == "numeric"                                       ? 0
                     : pc.value("encoding", std::string("one_hot")) == "index" ? 2
                                                                               : 1;
          }
        }
        combo->setCurrentIndex(choice);
        connect(combo, &QComboBox::currentIndexChanged, this, &DataImportDialog::updateCsvResult);
        table_->setCellWidget(0, c, combo);
      }
      pendingColumns_ = nullptr;
      table_->resizeColumnsToContents();
      updateCsvResult();
      return;
    }
    summary_ = q(kKinds[page]) + (path.empty() ? QString() : " " + q(path));
  } catch (const std::exception& e) {
    result_->clear();
    setError(QString::fromUtf8(e.what()));
  }
}

void DataImportDialog::updateCsvResult() {
  if (kind_->currentIndex() != CsvPage || columns_.isEmpty()) return;
  setError({});
  featureWidth_ = 0;
  result_json_ = nullptr;
  const std::string path = sourcePath();
  try {
    CsvSpec spec = CsvSpec::fromJson(csvOptions());
    CsvPreview p = previewCsv(path, spec, 8, 10000);
    featureWidth_ = static_cast<int>(p.featureWidth);
    int labels = 0;
    for (const CsvColumnSpec& c : spec.columns) labels += c.role == ColumnRole::Label;
    QString text =
        tr("feature width %1 -> x (N, %1), %2 label column(s)").arg(featureWidth_).arg(labels);
    if (!p.issues.empty())
      text += tr("; %1 bad row(s) in the preview, first: %2")
                  .arg(p.issues.size())
                  .arg(q(p.issues.front().text()));
    result_->setText(text);
    summary_ = tr("csv %1: feature width %2").arg(QFileInfo(q(path)).fileName()).arg(featureWidth_);
  } catch (const std::exception& e) {
    result_->clear();
    setError(QString::fromUtf8(e.what()));
  }
}

void DataImportDialog::accept() {
  setError({});
  const int page = kind_->currentIndex();
  const bool file = isFileKind(page);
  // Settings first (the split and normalisation tabs), then the source itself.
  try {
    if (file && !givenRadio_->isChecked()) {
      const double sum = exactValue(train_) + exactValue(valid_) + exactValue(test_);
      if (sum > 1 + 1e-9)
        throw Error(tr("split fractions sum to %1 (train %2 + validation %3 + test %4); they must "
                       "sum to at most 1")
                        .arg(sum)
                        .arg(exactValue(train_))
                        .arg(exactValue(valid_))
                        .arg(exactValue(test_))
                        .toStdString());
      if (!(exactValue(train_) > 0)) throw Error("the training fraction must be more than 0");
    }
    if (file && givenRadio_->isChecked()) {
      if (trainFile_->text().trimmed().isEmpty())
        throw Error("given files: choose the training file or folder");
      const std::pair<QLineEdit*, const char*> files[] = {
          {trainFile_, "training"}, {validFile_, "validation"}, {testFile_, "test"}};
      for (const auto& [edit, what] : files) {
        const QString p = edit->text().trimmed();
        if (p.isEmpty()) continue;
        if (!QFileInfo::exists(p))
          throw Error(std::string("the ") + what + " file " + p.toStdString() + " does not exist");
        if (page == ImagePage && !QFileInfo(p).isDir())
          throw Error(std::string("the ") + what + " folder " + p.toStdString() +
                      " is not a folder (image data: one subfolder per class)");
      }
    }
  } catch (const std::exception& e) {
    result_json_ = nullptr;
    setError(QString::fromUtf8(e.what()));
    tabs_->setCurrentIndex(SplitTab);
    return;
  }
  if (file && norm_->currentIndex() == NormRescale && !parseFactor(rescale_->text())) {
    result_json_ = nullptr;
    setError(
        tr("rescale factor '%1' is not a number (write e.g. 1/255 or 0.5)").arg(rescale_->text()));
    tabs_->setCurrentIndex(NormalizationTab);
    return;
  }

  const DataSettings s = current();
  const std::string path = sourcePath();
  try {
    if (page == BuiltinPage || page == LocalizationPage) {
      if (!fashionMnistAvailable())
        throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir);
    } else if (path.empty()) {
      throw Error("choose a file or folder first");
    } else if (page == CsvPage) {
      // The whole file once: a bad row (refuse) or a missing label is an error here, not later.
      CsvSpec spec = CsvSpec::fromJson(s.options);
      spec.fractions = s.fractions;
      if (givenRadio_->isChecked()) spec.fractions = {1.0, 0.0, 0.0};
      spec.seed = s.splitSeed;
      CsvImport imp = importCsv(path, spec);
      if (imp.x.rows() == 0) throw Error(path + ": no rows were imported");
      if (imp.labelNames.empty()) throw Error("no label column: give one column the role label");
      summary_ = tr("csv %1: %2 rows, feature width %3")
                     .arg(QFileInfo(q(path)).fileName())
                     .arg(imp.x.rows())
                     .arg(imp.featureWidth());
    } else if (page == IdxPage) {
      findIdxPairs(path);
    } else if (page == ImagePage) {
      ImageFolder folder(path, {});
      if (!s.annotations.empty() && s.annotationsPath.empty())
        throw Error("choose the annotation file");
    }
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
