#include "ui/data/CsvSourcePage.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"

namespace tessel::ui {

namespace {

enum Choice { NumericChoice, OneHotChoice, IndexChoice, CrossedChoice, LabelChoice, IgnoreChoice };

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "blanks";
  return QString("'%1'").arg(QChar(d));
}

std::vector<std::string> naValuesOf(const QLineEdit* na) {
  std::vector<std::string> values{""};
  if (!na->text().trimmed().isEmpty()) values.push_back(na->text().trimmed().toStdString());
  return values;
}

}  // namespace

QStringList CsvSourcePage::columnChoices() {
  return {"numeric", "categorical (one-hot)", "categorical (index)", "crossed", "label", "ignore"};
}

CsvSourcePage::CsvSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  na_ = new QLineEdit(this);
  na_->setObjectName("naValueEdit");
  na_->setPlaceholderText(tr("e.g. ?"));
  badRows_ = new QComboBox(this);
  badRows_->setObjectName("badRowsCombo");
  badRows_->addItem(tr("refuse (stop at the first bad row)"), "refuse");
  badRows_->addItem(tr("skip (leave bad rows out, listed)"), "skip");
  crossBuckets_ = new QSpinBox(this);
  crossBuckets_->setObjectName("crossBucketsSpin");
  crossBuckets_->setRange(1, 100000);
  crossBuckets_->setValue(16);
  format_ = new QLabel(this);
  format_->setObjectName("formatLabel");
  form->addRow(tr("Detected"), format_);
  form->addRow(tr("na_value"), na_);
  form->addRow(tr("Bad rows"), badRows_);
  form->addRow(tr("Crossed hash buckets"), crossBuckets_);
  layout->addLayout(form);
  table_ = new QTableWidget(this);
  table_->setObjectName("previewTable");
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setMinimumHeight(120);
  layout->addWidget(table_, 1);
  connect(badRows_, &QComboBox::currentIndexChanged, this, &CsvSourcePage::choicesChanged);
  connect(crossBuckets_, &QSpinBox::valueChanged, this, &CsvSourcePage::choicesChanged);
}

QComboBox* CsvSourcePage::columnCombo(int column) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(0, column));
}

QString CsvSourcePage::choose(QWidget* parent, const QString& caption,
                              const QString& current) const {
  return QFileDialog::getOpenFileName(parent, caption, current,
                                      tr("Tables (*.csv *.tsv *.txt *.data *.gz);;All (*)"));
}

void CsvSourcePage::load(const DataSettings& s) {
  const nlohmann::json& o = s.options;
  if (o.contains("na_values"))
    for (const auto& v : o["na_values"])
      if (v.is_string() && !v.get<std::string>().empty()) na_->setText(q(v.get<std::string>()));
  badRows_->setCurrentIndex(o.value("bad_rows", std::string("refuse")) == "skip" ? 1 : 0);
  pendingColumns_ = o.value("columns", nlohmann::json::array());
  // Column routing to a model's inputs and outputs has no editor on this page: kept as loaded.
  routing_ = nlohmann::json::object();
  for (const char* key : {"inputs", "outputs"})
    if (o.contains(key)) routing_[key] = o[key];
  if (o.contains("crossed") && !o["crossed"].empty())
    crossBuckets_->setValue(o["crossed"][0].value("hash_bucket_size", 16));
  for (const auto& c : o.value("crossed", nlohmann::json::array()))
    for (const auto& k : c.value("keys", nlohmann::json::array()))
      pendingColumns_.push_back({{"name", k}, {"role", "crossed"}});
}

void CsvSourcePage::store(DataSettings& s) const {
  s.options = options(s.normalization == "standardize_per_feature");
}

nlohmann::json CsvSourcePage::options(bool standardize) const {
  CsvSpec spec;
  spec.naValues = naValuesOf(na_);
  spec.badRows = badRows_->currentData().toString() == "skip" ? BadRows::Skip : BadRows::Refuse;
  // The CSV import standardises numeric feature columns itself: the mode decides the flag.
  CrossedColumnSpec cross;
  cross.hashBucketSize = crossBuckets_->value();
  for (int c = 0; c < columns_.size(); ++c) {
    QComboBox* combo = columnCombo(c);
    const int choice = combo ? combo->currentIndex() : IgnoreChoice;
    CsvColumnSpec col;
    col.name = columns_[c].toStdString();
    switch (choice) {
      case NumericChoice:
        col.type = ColumnType::Numeric;
        col.standardize = standardize;
        break;
      case OneHotChoice:
      case IndexChoice:
        col.type = ColumnType::Categorical;
        col.encoding =
            choice == OneHotChoice ? CategoricalEncoding::OneHot : CategoricalEncoding::Index;
        break;
      case CrossedChoice:
        cross.keys.push_back(col.name);
        continue;
      case LabelChoice: {
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
  for (const auto& [key, value] : routing_.items()) j[key] = value;
  return j;
}

void CsvSourcePage::clearPreview() {
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  columns_.clear();
}

SourceReport CsvSourcePage::describe(const std::string& path) {
  loadPreview(path);
  return encode(path);
}

void CsvSourcePage::loadPreview(const std::string& path) {
  CsvSpec suggested = suggestCsvSpec(path, naValuesOf(na_));
  const CsvFormat& f = *suggested.format;
  CsvSpec formatOnly;
  formatOnly.format = f;
  csvFormat_ = formatOnly.toJson()["format"];
  format_->setText(tr("delimiter %1, %2%3")
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
    const bool numeric = size_t(c) < f.numeric.size() && f.numeric[size_t(c)];
    int suggestion = IgnoreChoice;
    for (const CsvColumnSpec& s : suggested.columns)
      if (q(s.name) == columns_[c])
        suggestion = s.role == ColumnRole::Label                 ? LabelChoice
                     : s.role == ColumnRole::Ignore              ? IgnoreChoice
                     : s.type == ColumnType::Numeric             ? NumericChoice
                     : s.encoding == CategoricalEncoding::OneHot ? OneHotChoice
                                                                 : IndexChoice;
    table_->setCellWidget(0, c, columnChoiceCombo(c, numeric, storedChoice(c, suggestion)));
  }
  pendingColumns_ = nullptr;
  table_->resizeColumnsToContents();
}

int CsvSourcePage::storedChoice(int column, int suggested) const {
  if (pendingColumns_.is_null() || pendingColumns_.empty()) return suggested;
  int choice = IgnoreChoice;
  for (const auto& pc : pendingColumns_) {
    if (q(pc.value("name", std::string())) != columns_[column]) continue;
    const std::string role = pc.value("role", std::string("feature"));
    const std::string type = pc.value("type", std::string("numeric"));
    choice = role == "label"                                           ? LabelChoice
             : role == "ignore"                                        ? IgnoreChoice
             : role == "crossed"                                       ? CrossedChoice
             : type == "numeric"                                       ? NumericChoice
             : pc.value("encoding", std::string("one_hot")) == "index" ? IndexChoice
                                                                       : OneHotChoice;
  }
  return choice;
}

QComboBox* CsvSourcePage::columnChoiceCombo(int column, bool numeric, int choice) {
  auto* combo = new QComboBox(table_);
  combo->setObjectName(QString("columnCombo_%1").arg(column));
  combo->addItems(columnChoices());
  combo->setProperty("numeric", numeric);
  combo->setCurrentIndex(choice);
  connect(combo, &QComboBox::currentIndexChanged, this, &CsvSourcePage::choicesChanged);
  return combo;
}

SourceReport CsvSourcePage::encode(const std::string& path) const {
  CsvSpec spec = CsvSpec::fromJson(options(standardize_ && standardize_()));
  CsvPreview p = previewCsv(path, spec, 8, 10000);
  SourceReport r;
  r.featureWidth = static_cast<int>(p.featureWidth);
  int labels = 0;
  for (const CsvColumnSpec& c : spec.columns) labels += c.role == ColumnRole::Label;
  r.result =
      tr("feature width %1 -> x (N, %1), %2 label column(s)").arg(r.featureWidth).arg(labels);
  if (!p.issues.empty())
    r.result += tr("; %1 bad row(s) in the preview, first: %2")
                    .arg(p.issues.size())
                    .arg(q(p.issues.front().text()));
  r.summary = tr("csv %1: feature width %2").arg(QFileInfo(q(path)).fileName()).arg(r.featureWidth);
  return r;
}

QString CsvSourcePage::check(const DataSettings& s, const std::string& path, bool givenFiles) {
  CsvSpec spec = CsvSpec::fromJson(s.options);
  spec.fractions = s.fractions;
  if (givenFiles) spec.fractions = {1.0, 0.0, 0.0};
  spec.seed = s.splitSeed;
  CsvImport imp = importCsv(path, spec);
  if (imp.x.rows() == 0) throw Error(path + ": no rows were imported");
  if (imp.labelNames.empty()) throw Error("no label column: give one column the role label");
  return tr("csv %1: %2 rows, feature width %3")
      .arg(QFileInfo(q(path)).fileName())
      .arg(imp.x.rows())
      .arg(imp.featureWidth());
}

}  // namespace tessel::ui
