#include "ui/data/TfRecordSourcePage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/TfRecordSource.h"

namespace tessel::ui {

namespace {

enum Column { NameCol, TypeCol, DTypeCol, ShapeCol, ValuesCol, DefaultCol, RoleCol, ColumnCount };
enum Role { InputRole, LabelRole, IgnoreRole };
const char* kCompressions[] = {"auto", "none", "gzip", "zlib"};
const char* kTypes[] = {"FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature"};
const char* kDTypes[] = {"float32", "int64", "string (image)"};
using Feature = TfFeatureSpec::Feature;

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
  table_ = new QTableWidget(0, ColumnCount, this);
  table_->setObjectName("tfrecordFeatureTable");
  table_->setHorizontalHeaderLabels({tr("Feature"), tr("Type"), tr("dtype"), tr("Shape"),
                                     tr("First record"), tr("Default"), tr("Role")});
  table_->horizontalHeader()->setSectionResizeMode(ValuesCol, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  // The feature key is edited in place; type, dtype, shape, default and role are widgets.
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                          QAbstractItemView::AnyKeyPressed);
  layout->addWidget(table_, 1);
}

QComboBox* TfRecordSourcePage::roleCombo(int row) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(row, RoleCol));
}

QComboBox* TfRecordSourcePage::typeCombo(int row) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(row, TypeCol));
}

QComboBox* TfRecordSourcePage::dtypeCombo(int row) const {
  return qobject_cast<QComboBox*>(table_->cellWidget(row, DTypeCol));
}

QLineEdit* TfRecordSourcePage::shapeEdit(int row) const {
  return qobject_cast<QLineEdit*>(table_->cellWidget(row, ShapeCol));
}

QLineEdit* TfRecordSourcePage::defaultEdit(int row) const {
  return qobject_cast<QLineEdit*>(table_->cellWidget(row, DefaultCol));
}

int TfRecordSourcePage::rowOf(const QString& feature) const {
  for (int r = 0; r < table_->rowCount(); ++r)
    if (table_->item(r, NameCol) && table_->item(r, NameCol)->text() == feature) return r;
  return -1;
}

QString TfRecordSourcePage::shapeText(const Feature& f) {
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
    const bool isLabel = std::find(labels.begin(), labels.end(), i) != labels.end();
    const bool isInput = std::find(inputs.begin(), inputs.end(), i) != inputs.end();
    addRow(int(i), spec_.features[i], valuesText(p.examples.front(), spec_.features[i]),
           isLabel   ? LabelRole
           : isInput ? InputRole
                     : IgnoreRole);
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

void TfRecordSourcePage::addRow(int row, const Feature& f, const QString& values, int role) {
  auto* name = new QTableWidgetItem(q(f.name));
  name->setToolTip(tr("The feature's key in the records (double-click to edit)"));
  table_->setItem(row, NameCol, name);
  auto combo = [&](const char* objectName, const QStringList& items, int current) {
    auto* c = new QComboBox(table_);
    c->setObjectName(QString("%1%2").arg(objectName).arg(row));
    c->addItems(items);
    c->setCurrentIndex(current);
    return c;
  };
  auto edit = [&](const char* objectName, const QString& text, const QString& tip) {
    auto* e = new QLineEdit(text, table_);
    e->setObjectName(QString("%1%2").arg(objectName).arg(row));
    e->setToolTip(tip);
    return e;
  };
  QStringList types, dtypes;
  for (const char* t : kTypes) types << t;
  for (const char* d : kDTypes) dtypes << d;
  table_->setCellWidget(row, TypeCol, combo("tfrecordType", types, int(f.type)));
  table_->setCellWidget(row, DTypeCol,
                        combo("tfrecordDType", dtypes,
                              f.image              ? 2
                              : f.dtype == "int64" ? 1
                                                   : 0));
  table_->setCellWidget(
      row, ShapeCol,
      edit("tfrecordShape", shapeText(f),
           tr("FixedLenFeature: its shape, () for one value; VarLenFeature: (length,); "
              "FixedLenSequenceFeature: (steps, shape...); an image: (height, width, channels)")));
  QStringList defaults;
  if (f.defaultValue)
    for (double v : *f.defaultValue) defaults << QString::number(v);
  table_->setCellWidget(row, DefaultCol,
                        edit("tfrecordDefault", defaults.join(", "),
                             tr("FixedLenFeature default_value: empty (none, the feature is "
                                "required), one number, or one per value")));
  auto* first = new QTableWidgetItem(values);
  first->setFlags(first->flags() & ~Qt::ItemIsEditable);
  table_->setItem(row, ValuesCol, first);
  auto* r = combo("tfrecordRole", roleChoices(), role);
  table_->setCellWidget(row, RoleCol, r);
}

namespace {

// "(8, 8, 1)", "8, 8, 1", "(4,)", "()" or "" -> the numbers; throws Error on anything else.
std::vector<Index> parseDims(const QString& text, const QString& feature) {
  QString t = text.trimmed();
  if (t.startsWith('(') && t.endsWith(')')) t = t.mid(1, t.size() - 2);
  std::vector<Index> dims;
  for (const QString& part : t.split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const long long d = part.trimmed().toLongLong(&ok);
    if (!ok || d <= 0)
      throw Error("feature '" + feature.toStdString() + "': shape '" + text.toStdString() +
                  "' is not a list of positive integers such as (28, 28, 1)");
    dims.push_back(Index(d));
  }
  return dims;
}

}  // namespace

TfFeatureSpec TfRecordSourcePage::editedSpec() const {
  TfFeatureSpec s;
  for (int row = 0; row < table_->rowCount(); ++row) {
    const int role = roleCombo(row) ? roleCombo(row)->currentIndex() : IgnoreRole;
    if (role == IgnoreRole) continue;
    Feature f;
    const QString name = table_->item(row, NameCol)->text().trimmed();
    if (name.isEmpty())
      throw Error("TFRecord feature specification: row " + std::to_string(row + 1) +
                  " has no feature name");
    f.name = name.toStdString();
    f.type = Feature::Type(typeCombo(row)->currentIndex());
    const int dtype = dtypeCombo(row)->currentIndex();
    f.image = dtype == 2;
    f.dtype = f.image ? "string" : dtype == 1 ? "int64" : "float32";
    std::vector<Index> dims = parseDims(shapeEdit(row)->text(), name);
    const std::string what = "feature '" + f.name + "': ";
    if (f.image) {
      if (dims.size() != 3)
        throw Error(what + "an image's shape is (height, width, channels), got '" +
                    shapeEdit(row)->text().toStdString() + "'");
      f.height = int(dims[0]), f.width = int(dims[1]), f.channels = int(dims[2]);
    } else if (f.type == Feature::Type::VarLen) {
      if (dims.size() != 1)
        throw Error(what + "a VarLenFeature's shape is (length,): the values kept, got '" +
                    shapeEdit(row)->text().toStdString() + "'");
      f.length = dims[0];
    } else if (f.type == Feature::Type::FixedLenSequence) {
      if (dims.empty())
        throw Error(what + "a FixedLenSequenceFeature's shape is (steps, shape...)");
      f.length = dims[0];
      f.shape.assign(dims.begin() + 1, dims.end());
    } else {
      f.shape = dims;
    }
    const QString d = defaultEdit(row)->text().trimmed();
    if (!d.isEmpty()) {
      std::vector<double> values;
      for (const QString& part : d.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        values.push_back(part.trimmed().toDouble(&ok));
        if (!ok) throw Error(what + "default '" + d.toStdString() + "' is not a list of numbers");
      }
      f.defaultValue = values;
    }
    s.features.push_back(f);
    (role == LabelRole ? s.labels : s.inputs).push_back(f.name);
  }
  // The JSON round trip applies TfFeatureSpec's own checks (a string that is not an image, ...).
  return TfFeatureSpec::fromJson(s.toJson());
}

nlohmann::json TfRecordSourcePage::options() const {
  nlohmann::json j = editedSpec().toJson();
  j["compression"] = compression_->currentData().toString().toStdString();
  return j;
}

void TfRecordSourcePage::store(DataSettings& s) const {
  if (table_->rowCount() > 0) {
    try {
      s.options = options();
      return;
    } catch (const Error&) {
      // A cell that does not parse: check() (OK) reports it; the proposal is stored meanwhile.
      s.options = spec_.toJson();
      s.options["compression"] = compression_->currentData().toString().toStdString();
    }
  } else if (!pendingOptions_.is_null())
    s.options = pendingOptions_;
  else
    s.options = {{"compression", compression_->currentData().toString().toStdString()}};
}

QString TfRecordSourcePage::check(const DataSettings& s, const std::string&, bool) {
  if (table_->rowCount() > 0) options();  // throws for a cell that does not parse
  const BuiltData b = buildDataset(s);
  return tr("tfrecord %1: %2").arg(q(s.path.empty() ? s.trainFile : s.path), q(b.describe()));
}

}  // namespace tessel::ui
