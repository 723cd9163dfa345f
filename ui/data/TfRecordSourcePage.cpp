#include "ui/data/TfRecordSourcePage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/TfRecordSource.h"

namespace tessel::ui {

namespace {

enum Column { NameCol, TypeCol, DTypeCol, ShapeCol, ValuesCol, RoleCol };
enum Role { InputRole, LabelRole, IgnoreRole };
const char* kCompressions[] = {"auto", "none", "gzip", "zlib"};

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

// The first values of a feature in one record, for the Values column.
QString valuesText(const TfExample& e, const TfFeatureSpec::Feature& f) {
  if (f.type == TfFeatureSpec::Feature::Type::FixedLenSequence) {
    auto it = e.featureLists.find(f.name);
    return it == e.featureLists.end() ? QString("(no steps)")
                                      : QObject::tr("%1 steps").arg(it->second.size());
  }
  auto it = e.features.find(f.name);
  if (it == e.features.end()) return QObject::tr("(missing)");
  const TfFeatureValue& v = it->second;
  if (f.image && !v.bytes.empty()) return QObject::tr("%1 bytes (image)").arg(v.bytes[0].size());
  QStringList parts;
  const size_t n = std::min<size_t>(v.size(), 6);
  for (size_t i = 0; i < n; ++i)
    parts << (v.kind == TfFeatureValue::Kind::Float ? QString::number(double(v.floats[i]))
                                                    : QString::number(v.ints[i]));
  return parts.join(", ") + (v.size() > n ? ", ..." : "");
}

}  // namespace

QStringList TfRecordSourcePage::roleChoices() {
  return {tr("input"), tr("label"), tr("ignore")};
}

TfRecordSourcePage::TfRecordSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  compression_ = new QComboBox(this);
  compression_->setObjectName("tfrecordCompressionCombo");
  for (const char* c : kCompressions) compression_->addItem(c, c);
  form->addRow(tr("Compression"), compression_);
  layout->addLayout(form);
  auto* hint = new QLabel(
      tr("A file, a folder of shards or a glob (data/train-*.tfrecord.gz). The features below "
         "are proposed from the first records, as tf.io.parse_single_example takes them."),
      this);
  hint->setWordWrap(true);
  layout->addWidget(hint);
  table_ = new QTableWidget(0, 6, this);
  table_->setObjectName("tfrecordFeatureTable");
  table_->setHorizontalHeaderLabels(
      {tr("Feature"), tr("Type"), tr("dtype"), tr("Shape"), tr("First record"), tr("Role")});
  table_->horizontalHeader()->setSectionResizeMode(ValuesCol, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  layout->addWidget(table_, 1);
}

QComboBox* TfRecordSourcePage::roleCombo(int row) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(row, RoleCol));
}

QString TfRecordSourcePage::shapeText(const TfFeatureSpec::Feature& f) const {
  QStringList dims;
  for (Index d : f.rowShape()) dims << QString::number(d);
  return "(" + dims.join(", ") + (dims.size() == 1 ? ",)" : ")");
}

void TfRecordSourcePage::load(const DataSettings& s) {
  const std::string c = s.options.value("compression", std::string("auto"));
  compression_->setCurrentIndex(std::max(0, compression_->findData(q(c))));
  pendingOptions_ = s.options.contains("features") ? s.options : nlohmann::json();
}

SourceReport TfRecordSourcePage::describe(const std::string& path) {
  table_->setRowCount(0);
  const TfRecordPreview p = inspectTfRecords(
      path, tfRecordCompression(compression_->currentData().toString().toStdString()));
  spec_ = p.proposed;
  // Stored settings of the same records keep their specification and roles.
  if (!pendingOptions_.is_null()) {
    try {
      spec_ = TfFeatureSpec::fromJson(pendingOptions_);
    } catch (const Error&) {
    }
    pendingOptions_ = nullptr;
  }
  const std::vector<size_t> inputs = spec_.inputIndices(), labels = spec_.labelIndices();
  table_->setRowCount(int(spec_.features.size()));
  for (size_t i = 0; i < spec_.features.size(); ++i) {
    const auto& f = spec_.features[i];
    const int row = int(i);
    table_->setItem(row, NameCol, new QTableWidgetItem(q(f.name)));
    table_->setItem(row, TypeCol, new QTableWidgetItem(q(f.typeName())));
    table_->setItem(row, DTypeCol,
                    new QTableWidgetItem(f.image ? tr("string (image)") : q(f.dtype)));
    table_->setItem(row, ShapeCol, new QTableWidgetItem(shapeText(f)));
    table_->setItem(row, ValuesCol, new QTableWidgetItem(valuesText(p.examples.front(), f)));
    auto* role = new QComboBox(table_);
    role->setObjectName(QString("tfrecordRole%1").arg(row));
    role->addItems(roleChoices());
    const bool isLabel = std::find(labels.begin(), labels.end(), i) != labels.end();
    const bool isInput = std::find(inputs.begin(), inputs.end(), i) != inputs.end();
    role->setCurrentIndex(isLabel ? LabelRole : isInput ? InputRole : IgnoreRole);
    table_->setCellWidget(row, RoleCol, role);
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setSectionResizeMode(ValuesCol, QHeaderView::Stretch);
  SourceReport r;
  QStringList left;
  for (const auto& s : p.skipped) left << q(s);
  r.result = tr("%1 file(s), %2; %3 feature(s) proposed from the first %4 records")
                 .arg(p.files.size())
                 .arg(tfRecordCompressionName(p.compression))
                 .arg(spec_.features.size())
                 .arg(p.examples.size());
  if (!left.isEmpty()) r.result += tr(" (left out, not images: %1)").arg(left.join(", "));
  r.summary = tr("tfrecord %1").arg(q(path));
  return r;
}

nlohmann::json TfRecordSourcePage::options() const {
  TfFeatureSpec s;
  for (int row = 0; row < table_->rowCount() && size_t(row) < spec_.features.size(); ++row) {
    const int role = roleCombo(row) ? roleCombo(row)->currentIndex() : IgnoreRole;
    if (role == IgnoreRole) continue;
    s.features.push_back(spec_.features[size_t(row)]);
    (role == LabelRole ? s.labels : s.inputs).push_back(spec_.features[size_t(row)].name);
  }
  nlohmann::json j = s.toJson();
  j["compression"] = compression_->currentData().toString().toStdString();
  return j;
}

void TfRecordSourcePage::store(DataSettings& s) const {
  if (table_->rowCount() > 0)
    s.options = options();
  else if (!pendingOptions_.is_null())
    s.options = pendingOptions_;
  else
    s.options = {{"compression", compression_->currentData().toString().toStdString()}};
}

QString TfRecordSourcePage::check(const DataSettings& s, const std::string&, bool) {
  const BuiltData b = buildDataset(s);
  return tr("tfrecord %1: %2").arg(q(s.path.empty() ? s.trainFile : s.path), q(b.describe()));
}

}  // namespace tessel::ui
