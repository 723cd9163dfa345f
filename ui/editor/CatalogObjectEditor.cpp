#include "ui/editor/CatalogObjectEditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>

#include "ui/editor/FloatSpinBox.h"

namespace tessel::ui {

namespace {

bool sameIgnoringCase(const std::string& a, const std::string& b) {
  return QString::fromStdString(a).compare(QString::fromStdString(b), Qt::CaseInsensitive) == 0;
}

QString text(const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

}  // namespace

CatalogObjectEditor::CatalogObjectEditor(std::vector<const CatalogEntry*> entries, bool nullable,
                                         QWidget* parent)
    : QWidget(parent), entries_(std::move(entries)), nullable_(nullable) {
  combo_ = new QComboBox(this);
  combo_->setObjectName("catalogClass");
  if (nullable_) combo_->addItem(tr("None"));
  for (const CatalogEntry* e : entries_) {
    combo_->addItem(QString::fromStdString(e->className));
    combo_->setItemData(combo_->count() - 1, QString::fromStdString(e->doc), Qt::ToolTipRole);
  }
  combo_->setEnabled(combo_->count() > 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(combo_);
  connect(combo_, &QComboBox::currentIndexChanged, this, &CatalogObjectEditor::chooseClass);
  buildFields();
}

const CatalogEntry* CatalogObjectEditor::find(const std::string& name) const {
  // As Catalog::find: class name, alias, class name ignoring case.
  for (const CatalogEntry* e : entries_)
    if (e->className == name) return e;
  for (const CatalogEntry* e : entries_)
    for (const std::string& a : e->aliases)
      if (a == name) return e;
  for (const CatalogEntry* e : entries_)
    if (sameIgnoringCase(e->className, name)) return e;
  return nullptr;
}

const CatalogEntry* CatalogObjectEditor::current() const {
  const int i = combo_->currentIndex() - (nullable_ ? 1 : 0);
  return i >= 0 && i < static_cast<int>(entries_.size()) ? entries_[i] : nullptr;
}

QWidget* CatalogObjectEditor::fieldFor(const std::string& key) const {
  auto it = fieldWidgets_.find(key);
  return it == fieldWidgets_.end() ? nullptr : it->second;
}

json CatalogObjectEditor::value() const {
  if (!raw_.is_null()) return raw_;
  const CatalogEntry* e = current();
  if (!e) return nullptr;
  return {{"class_name", e->className}, {"config", config_}};
}

void CatalogObjectEditor::setValue(const json& value) {
  loading_ = true;
  const CatalogEntry* before = current();
  const json rawBefore = raw_;
  raw_ = nullptr;
  const CatalogEntry* e = nullptr;
  json given = json::object();
  if (value.is_string()) {
    e = find(value.get<std::string>());
  } else if (value.is_object() && value.contains("class_name") && value["class_name"].is_string()) {
    e = find(value["class_name"].get<std::string>());
    if (value.contains("config") && value["config"].is_object()) given = value["config"];
  }
  // Drop the combo's item for an earlier unknown value.
  const int known = static_cast<int>(entries_.size()) + (nullable_ ? 1 : 0);
  while (combo_->count() > known) combo_->removeItem(combo_->count() - 1);
  if (e) {
    config_ = e->defaultConfig();
    if (!config_.is_object()) config_ = json::object();
    for (const auto& [k, v] : given.items()) config_[k] = v;
    combo_->setCurrentIndex(
        static_cast<int>(std::find(entries_.begin(), entries_.end(), e) - entries_.begin()) +
        (nullable_ ? 1 : 0));
  } else if (value.is_null() && nullable_) {
    config_ = json::object();
    combo_->setCurrentIndex(0);
  } else {
    raw_ = value;
    config_ = json::object();
    combo_->addItem(value.is_object() ? text(value.value("class_name", json())) : text(value));
    combo_->setCurrentIndex(combo_->count() - 1);
  }
  if (current() != before || !rawBefore.is_null() || !raw_.is_null() || fieldWidgets_.empty())
    buildFields();
  // Field values from config_.
  for (const auto& [key, w] : fieldWidgets_) {
    const QSignalBlocker block(w);
    const json& v = config_.contains(key) ? config_[key] : json();
    if (auto* f = qobject_cast<QDoubleSpinBox*>(w))
      f->setValue(v.is_number() ? v.get<double>() : 0.0);
    else if (auto* s = qobject_cast<QSpinBox*>(w))
      s->setValue(v.is_number() ? v.get<int>() : 0);
    else if (auto* l = qobject_cast<QLineEdit*>(w)) {
      l->setText(text(v));
      l->setCursorPosition(0);  // the start of a long value
    }
  }
  loading_ = false;
}

void CatalogObjectEditor::chooseClass(int) {
  if (loading_) return;
  raw_ = nullptr;
  const CatalogEntry* e = current();
  config_ = e ? e->defaultConfig() : json::object();
  if (!config_.is_object()) config_ = json::object();
  loading_ = true;
  buildFields();
  setValue(value());  // fills the fields
  loading_ = false;
  emit edited(value());
}

void CatalogObjectEditor::fieldEdited(const std::string& key, const json& v) {
  if (loading_ || config_.value(key, json()) == v) return;
  config_[key] = v;
  emit edited(value());
}

void CatalogObjectEditor::buildFields() {
  // The old fields go later: this can run from one of their own signals.
  if (fieldsHost_) {
    fieldsHost_->hide();
    layout()->removeWidget(fieldsHost_);
    fieldsHost_->deleteLater();
  }
  fieldWidgets_.clear();
  fieldsHost_ = new QWidget(this);
  fields_ = new QFormLayout(fieldsHost_);
  fields_->setContentsMargins(8, 0, 0, 0);
  fields_->setRowWrapPolicy(QFormLayout::WrapLongRows);
  fields_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  layout()->addWidget(fieldsHost_);
  const CatalogEntry* e = raw_.is_null() ? current() : nullptr;
  fieldsHost_->setVisible(e && !e->params.empty());
  if (!e) return;
  for (const ParamSpec& p : e->params) {
    const std::string key = p.key;
    QWidget* w = nullptr;
    if (p.type == ParamType::Float && !p.nullable) {
      auto* spin = new FloatSpinBox(fieldsHost_);
      spin->setRange(std::max(p.min, -1e12), std::min(p.max, 1e12));
      spin->setSingleStep(0.01);
      connect(spin, &QDoubleSpinBox::valueChanged, this,
              [this, key](double v) { fieldEdited(key, v); });
      w = spin;
    } else if (p.type == ParamType::Int && !p.nullable) {
      auto* spin = new QSpinBox(fieldsHost_);
      spin->setRange(static_cast<int>(std::max<double>(p.min, INT_MIN)),
                     static_cast<int>(std::min<double>(p.max, INT_MAX)));
      spin->setKeyboardTracking(false);
      connect(spin, &QSpinBox::valueChanged, this, [this, key](int v) { fieldEdited(key, v); });
      w = spin;
    } else {
      // Text, or a nullable number (seed: empty is None).
      auto* line = new QLineEdit(fieldsHost_);
      if (p.nullable) line->setPlaceholderText(tr("None"));
      const ParamType type = p.type;
      connect(line, &QLineEdit::editingFinished, this, [this, key, line, type] {
        const QString t = line->text().trimmed();
        json v = t.toStdString();
        if (t.isEmpty() || t == "None") {
          v = nullptr;
        } else if (type == ParamType::Int || type == ParamType::Float) {
          bool ok = false;
          const double d = t.toDouble(&ok);
          if (!ok) return;
          v = type == ParamType::Int ? json(static_cast<long long>(d)) : json(d);
        }
        fieldEdited(key, v);
      });
      w = line;
    }
    w->setObjectName(QString::fromStdString(key));
    w->setToolTip(QString::fromStdString(p.doc));
    w->setMinimumWidth(60);
    auto* label = new QLabel(QString::fromStdString(key), fieldsHost_);
    label->setToolTip(QString::fromStdString(p.doc));
    fields_->addRow(label, w);
    fieldWidgets_[key] = w;
  }
}

}  // namespace tessel::ui
