#include "ui/training/ParamForm.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace tessel::ui {

namespace {

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace

std::vector<ParamSpec> ParamForm::specsOf(const json& defaults) {
  std::vector<ParamSpec> out;
  if (defaults.is_object())
    for (auto it = defaults.begin(); it != defaults.end(); ++it)
      out.push_back(paramspec::param(it.key(), ParamType::Json, it.value(), ""));
  return out;
}

ParamForm::ParamForm(const std::vector<ParamSpec>& params, QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  for (const ParamSpec& p : params) {
    Field f{p.key, Kind::String, nullptr};
    f.widget = makeField(p, f.kind);
    f.widget->setObjectName(qs(p.key));
    if (!p.doc.empty()) f.widget->setToolTip(qs(p.doc));
    form->addRow(qs(p.key), f.widget);
    fields_.push_back(f);
  }
}

QWidget* ParamForm::makeField(const ParamSpec& p, Kind& kind) {
  const json& v = p.required ? p.suggested : p.defaultValue;
  if (v.is_boolean()) {
    auto* box = new QCheckBox(this);
    box->setChecked(v.get<bool>());
    connect(box, &QCheckBox::toggled, this, &ParamForm::changed);
    kind = Kind::Bool;
    return box;
  }
  if (v.is_number_integer()) {
    auto* box = new QSpinBox(this);
    box->setRange(0, 1000000000);
    box->setMinimumWidth(96);
    box->setValue(v.get<int>());
    connect(box, &QSpinBox::valueChanged, this, &ParamForm::changed);
    kind = Kind::Int;
    return box;
  }
  if (v.is_number()) {
    auto* box = new QDoubleSpinBox(this);
    box->setDecimals(8);
    box->setRange(-1e9, 1e9);
    box->setMinimumWidth(96);  // the range's 19 digits would widen the whole compile column
    box->setSingleStep(p.key == "learning_rate" ? 1e-4 : 0.01);
    box->setValue(v.get<double>());
    connect(box, &QDoubleSpinBox::valueChanged, this, &ParamForm::changed);
    kind = Kind::Double;
    return box;
  }
  auto* edit = new QLineEdit(this);
  if (v.is_string()) {
    edit->setText(qs(v.get<std::string>()));
    kind = Kind::String;
  } else {
    edit->setPlaceholderText(QStringLiteral("None"));
    kind = Kind::NullableNumber;
  }
  connect(edit, &QLineEdit::textChanged, this, &ParamForm::changed);
  return edit;
}

json ParamForm::values() const {
  json out = json::object();
  for (const Field& f : fields_) {
    switch (f.kind) {
      case Kind::Bool:
        out[f.key] = static_cast<QCheckBox*>(f.widget)->isChecked();
        break;
      case Kind::Int:
        out[f.key] = static_cast<QSpinBox*>(f.widget)->value();
        break;
      case Kind::Double:
        out[f.key] = static_cast<QDoubleSpinBox*>(f.widget)->value();
        break;
      case Kind::String:
        out[f.key] = static_cast<QLineEdit*>(f.widget)->text().toStdString();
        break;
      case Kind::NullableNumber: {
        bool ok = false;
        double d = static_cast<QLineEdit*>(f.widget)->text().trimmed().toDouble(&ok);
        out[f.key] = ok ? json(d) : json(nullptr);
        break;
      }
    }
  }
  return out;
}

void ParamForm::setValues(const json& v) {
  if (!v.is_object()) return;
  for (const Field& f : fields_) {
    if (!v.contains(f.key)) continue;
    const json& x = v[f.key];
    switch (f.kind) {
      case Kind::Bool:
        if (x.is_boolean()) static_cast<QCheckBox*>(f.widget)->setChecked(x.get<bool>());
        break;
      case Kind::Int:
        if (x.is_number()) static_cast<QSpinBox*>(f.widget)->setValue(x.get<int>());
        break;
      case Kind::Double:
        if (x.is_number()) static_cast<QDoubleSpinBox*>(f.widget)->setValue(x.get<double>());
        break;
      case Kind::String:
        if (x.is_string()) static_cast<QLineEdit*>(f.widget)->setText(qs(x.get<std::string>()));
        break;
      case Kind::NullableNumber:
        static_cast<QLineEdit*>(f.widget)->setText(x.is_number() ? QString::number(x.get<double>())
                                                                 : QString());
        break;
    }
  }
}

QWidget* ParamForm::field(const std::string& key) const {
  for (const Field& f : fields_)
    if (f.key == key) return f.widget;
  return nullptr;
}

}  // namespace tessel::ui
