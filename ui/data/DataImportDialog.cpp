#include "ui/data/DataImportDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <exception>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/IdxPair.h"
#include "engine/data/ImageFolder.h"

namespace tessel::ui {

namespace {

enum Page { BuiltinPage, LocalizationPage, IdxPage, CsvPage, ImagePage };

const char* const kKinds[] = {"fashion_mnist", "fashion_mnist_localization", "idx", "csv",
                              "image_folder"};

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "blanks";
  return QString("'%1'").arg(QChar(d));
}

}  // namespace

QStringList DataImportDialog::columnChoices() {
  return {"numeric", "categorical (one-hot)", "categorical (index)", "crossed", "label", "ignore"};
}

DataImportDialog::DataImportDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Data"));
  auto* top = new QVBoxLayout(this);

  auto* source = new QFormLayout;
  kind_ = new QComboBox(this);
  kind_->setObjectName("kindCombo");
  kind_->addItem(tr("Fashion-MNIST (built in)"), kKinds[0]);
  kind_->addItem(tr("Fashion-MNIST localization (generated 64x64)"), kKinds[1]);
  kind_->addItem(tr("IDX image/label files"), kKinds[2]);
  kind_->addItem(tr("CSV table"), kKinds[3]);
  kind_->addItem(tr("Image folder (one subfolder per class)"), kKinds[4]);
  source->addRow(tr("Source"), kind_);
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(this);
  path_->setObjectName("pathEdit");
  auto* browse = new QPushButton(tr("Browse..."), this);
  browse->setObjectName("browseButton");
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  source->addRow(tr("File / folder"), pathRow);
  top->addLayout(source);

  pages_ = new QStackedWidget(this);
  // Built-in: nothing to choose.
  pages_->addWidget(new QLabel(
      tr("The seed's split: 55,000 training and 5,000 validation images, standardised."), this));
  // Localization.
  auto* loc = new QWidget(this);
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
  pages_->addWidget(
      new QLabel(tr("A file of an image/label pair, or a folder holding pairs."), this));
  // CSV.
  auto* csv = new QWidget(this);
  auto* csvLayout = new QVBoxLayout(csv);
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
  table_->setMinimumHeight(180);
  csvLayout->addWidget(table_, 1);
  pages_->addWidget(csv);
  // Image folder.
  auto* img = new QWidget(this);
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
  maxRows_->setRange(1, 10000000);
  maxRows_->setValue(20000);
  maxRows_->setToolTip(
      tr("Images gathered into memory for training (a seeded sample when the "
         "folder holds more)"));
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
  imgForm->addRow(tr("Height"), height_);
  imgForm->addRow(tr("Width"), width_);
  imgForm->addRow(tr("Colour"), color_);
  imgForm->addRow(tr("At most (images)"), maxRows_);
  imgForm->addRow(tr("Box annotations"), annotations_);
  imgForm->addRow(tr("Annotation file"), annRow);
  pages_->addWidget(img);
  top->addWidget(pages_, 1);

  auto* split = new QHBoxLayout;
  train_ = new QDoubleSpinBox(this);
  train_->setObjectName("trainFractionSpin");
  valid_ = new QDoubleSpinBox(this);
  valid_->setObjectName("validFractionSpin");
  test_ = new QDoubleSpinBox(this);
  test_->setObjectName("testFractionSpin");
  for (QDoubleSpinBox* s : {train_, valid_, test_}) {
    s->setRange(0, 1);
    s->setSingleStep(0.05);
    s->setDecimals(3);
  }
  train_->setValue(0.8);
  valid_->setValue(0.1);
  test_->setValue(0.1);
  seed_ = new QSpinBox(this);
  seed_->setObjectName("seedSpin");
  seed_->setRange(0, 1 << 30);
  split->addWidget(new QLabel(tr("Split: train"), this));
  split->addWidget(train_);
  split->addWidget(new QLabel(tr("validation"), this));
  split->addWidget(valid_);
  split->addWidget(new QLabel(tr("test"), this));
  split->addWidget(test_);
  split->addWidget(new QLabel(tr("seed"), this));
  split->addWidget(seed_);
  top->addLayout(split);

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
  connect(browse, &QPushButton::clicked, this, &DataImportDialog::browse);
  connect(annBrowse, &QPushButton::clicked, this, &DataImportDialog::browseAnnotations);
  connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
    updatePage();
    if (!loading_) reload();
  });
  connect(path_, &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(na_, &QLineEdit::editingFinished, this, &DataImportDialog::reload);
  connect(badRows_, &QComboBox::currentIndexChanged, this, &DataImportDialog::updateCsvResult);
  connect(crossBuckets_, &QSpinBox::valueChanged, this, &DataImportDialog::updateCsvResult);
  for (QSpinBox* s : {height_, width_})
    connect(s, &QSpinBox::valueChanged, this, &DataImportDialog::reload);
  connect(color_, &QComboBox::currentIndexChanged, this, &DataImportDialog::reload);
  updatePage();
  reload();
  resize(760, 560);
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

void DataImportDialog::updatePage() {
  const int page = kind_->currentIndex();
  pages_->setCurrentIndex(page);
  const bool file = page == IdxPage || page == CsvPage || page == ImagePage;
  path_->setEnabled(file);
  for (QDoubleSpinBox* s : {train_, valid_, test_}) s->setEnabled(file);
  seed_->setEnabled(file || page == LocalizationPage);
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
  reload();
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
  if (page == IdxPage || page == CsvPage || page == ImagePage)
    s.path = path_->text().trimmed().toStdString();
  s.fractions = {train_->value(), valid_->value(), test_->value()};
  s.splitSeed = static_cast<std::uint64_t>(seed_->value());
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
                 {"max_rows", maxRows_->value()}};
    s.annotations = annotations_->currentData().toString().toStdString();
    if (!s.annotations.empty()) s.annotationsPath = annotationsPath_->text().toStdString();
    s.normalization = "rescale";  // Keras image data are 0..255; Rescaling(1/255)
  }
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
    train_->setValue(s.fractions[0]);
    valid_->setValue(s.fractions[1]);
    test_->setValue(s.fractions[2]);
  }
  seed_->setValue(static_cast<int>(s.splitSeed));
  const nlohmann::json& o = s.options;
  if (s.kind == "fashion_mnist_localization") {
    locCount_->setValue(o.value("count", 10000));
    locValid_->setValue(o.value("validation_count", 1000));
  } else if (s.kind == "image_folder") {
    height_->setValue(o.value("height", 64));
    width_->setValue(o.value("width", 64));
    color_->setCurrentIndex(o.value("grayscale", false) ? 1 : 0);
    maxRows_->setValue(o.value("max_rows", 20000));
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
  }
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
  const std::string path = path_->text().trimmed().toStdString();
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
  const std::string path = path_->text().trimmed().toStdString();
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
  const DataSettings s = current();
  try {
    const int page = kind_->currentIndex();
    if (page == BuiltinPage || page == LocalizationPage) {
      if (!fashionMnistAvailable())
        throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir);
    } else if (s.path.empty()) {
      throw Error("choose a file or folder first");
    } else if (page == CsvPage) {
      // The whole file once: a bad row (refuse) or a missing label is an error here, not later.
      CsvSpec spec = CsvSpec::fromJson(s.options);
      spec.fractions = s.fractions;
      spec.seed = s.splitSeed;
      CsvImport imp = importCsv(s.path, spec);
      if (imp.x.rows() == 0) throw Error(s.path + ": no rows were imported");
      if (imp.labelNames.empty()) throw Error("no label column: give one column the role label");
      summary_ = tr("csv %1: %2 rows, feature width %3")
                     .arg(QFileInfo(q(s.path)).fileName())
                     .arg(imp.x.rows())
                     .arg(imp.featureWidth());
    } else if (page == IdxPage) {
      findIdxPairs(s.path);
    } else if (page == ImagePage) {
      ImageFolder folder(s.path, {});
      if (!s.annotations.empty() && s.annotationsPath.empty())
        throw Error("choose the annotation file");
    }
    nlohmann::json j = s.toJson();
    DataSettings::fromJson(j);  // validates fractions, kinds
    result_json_ = j;
  } catch (const std::exception& e) {
    result_json_ = nullptr;
    setError(QString::fromUtf8(e.what()));
    return;
  }
  QDialog::accept();
}

}  // namespace tessel::ui
