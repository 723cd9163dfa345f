#include "ui/training/OptimizerEditor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>

#include "engine/catalog/OptimizerCatalog.h"
#include "engine/catalog/ScheduleCatalog.h"
#include "ui/training/ParamForm.h"

namespace tessel::ui {

namespace {

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

const OptimizerEntry* optimizerEntry(const QString& name) {
  return optimizerCatalog().find(name.toStdString());
}

}  // namespace

QStringList OptimizerEditor::optimizerNames() {
  QStringList names;
  for (const OptimizerEntry& e : optimizerCatalog().all()) names << qs(e.className);
  return names;
}

json OptimizerEditor::optimizerDefaults(const QString& className) {
  const OptimizerEntry* e = optimizerEntry(className);
  return e ? e->defaultConfig() : json::object();
}

QStringList OptimizerEditor::scheduleNames() {
  QStringList names{tr("None")};
  for (const ScheduleEntry& e : scheduleCatalog().all()) names << qs(e.className);
  return names;
}

json OptimizerEditor::scheduleStart(const QString& className, double lr) {
  const ScheduleEntry* e = scheduleCatalog().find(className.toStdString());
  if (!e) return json();
  json c = json::object();
  for (const ParamSpec& p : e->params) c[p.key] = p.required ? p.suggested : p.defaultValue;
  if (c.contains("initial_learning_rate")) c["initial_learning_rate"] = lr;
  return c;
}

OptimizerEditor::OptimizerEditor(QWidget* parent) : QGroupBox(tr("Optimizer"), parent) {
  form_ = new QFormLayout(this);
  optimizer_ = new QComboBox(this);
  optimizer_->setObjectName("optimizerBox");
  optimizer_->addItems(optimizerNames());
  for (int i = 0; i < optimizer_->count(); ++i)
    optimizer_->setItemData(i, qs(optimizerCatalog().all()[size_t(i)].doc), Qt::ToolTipRole);
  optimizer_->setCurrentText(QStringLiteral("RMSprop"));  // Keras compile() default
  optimizer_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  form_->addRow(tr("Optimizer"), optimizer_);
  schedule_ = new QComboBox(this);
  schedule_->setObjectName("scheduleBox");
  schedule_->addItems(scheduleNames());
  schedule_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  scheduleParams_ = new QLineEdit(this);
  scheduleParams_->setObjectName("scheduleParams");
  scheduleParams_->setEnabled(false);
  form_->addRow(tr("LR schedule"), schedule_);
  form_->addRow(tr("Schedule config"), scheduleParams_);

  rebuildParams(json::object());
  connect(optimizer_, &QComboBox::currentTextChanged, this, [this] {
    if (building_) return;
    rebuildParams(json::object());
    emitChanged();
  });
  connect(schedule_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (building_) return;
    scheduleParams_->setEnabled(index > 0);
    // Every optimizer has a learning_rate field.
    const double lr = learningRateBox() ? learningRateBox()->value() : 0.0;
    const json start = scheduleStart(schedule_->currentText(), lr);
    scheduleParams_->setText(start.is_null() ? QString() : qs(start.dump()));
    emitChanged();
  });
  connect(scheduleParams_, &QLineEdit::textChanged, this, &OptimizerEditor::emitChanged);
}

QDoubleSpinBox* OptimizerEditor::learningRateBox() const {
  return params_ ? qobject_cast<QDoubleSpinBox*>(params_->field("learning_rate")) : nullptr;
}

void OptimizerEditor::emitChanged() {
  if (!building_) emit changed();
}

// The form of the current optimizer's params: catalog defaults, then `values`.
void OptimizerEditor::rebuildParams(const json& values) {
  if (params_) {
    form_->removeRow(params_);  // deletes the widget
    params_ = nullptr;
  }
  const OptimizerEntry* e = optimizerEntry(optimizer_->currentText());
  params_ = new ParamForm(e ? e->params : std::vector<ParamSpec>{}, this);
  params_->setObjectName("optimizerParams");
  params_->setValues(values);
  connect(params_, &ParamForm::changed, this, &OptimizerEditor::emitChanged);
  form_->insertRow(1, tr("Parameters"), params_);
}

json OptimizerEditor::optimizerConfig() const {
  json config = params_ ? params_->values() : json::object();
  // Parameters at None (clip norms, weight decay) stay out, as Keras's defaults.
  for (auto it = config.begin(); it != config.end();)
    it = it.value().is_null() ? config.erase(it) : std::next(it);
  if (schedule_->currentIndex() > 0) {
    json sc = json::parse(scheduleParams_->text().toStdString(), nullptr, false);
    if (!sc.is_discarded() && sc.is_object())
      config["learning_rate"] = {{"class_name", schedule_->currentText().toStdString()},
                                 {"config", sc}};
  }
  return {{"class_name", optimizer_->currentText().toStdString()}, {"config", config}};
}

void OptimizerEditor::setOptimizerConfig(const json& oc) {
  if (!oc.is_object() || !oc.contains("class_name") || !oc["class_name"].is_string()) return;
  QString cls = qs(oc["class_name"].get<std::string>());
  if (const OptimizerEntry* e = optimizerEntry(cls)) cls = qs(e->className);
  const json config = oc.value("config", json::object());
  json values = config;
  const json lr = config.value("learning_rate", json());
  building_ = true;
  optimizer_->setCurrentText(cls);
  if (lr.is_object()) {
    const json sc = lr.value("config", json::object());
    values.erase("learning_rate");
    if (sc.contains("initial_learning_rate")) values["learning_rate"] = sc["initial_learning_rate"];
    schedule_->setCurrentText(qs(lr.value("class_name", std::string())));
    scheduleParams_->setEnabled(schedule_->currentIndex() > 0);
    scheduleParams_->setText(qs(sc.dump()));
  } else {
    schedule_->setCurrentIndex(0);
    scheduleParams_->clear();
    scheduleParams_->setEnabled(false);
  }
  building_ = false;
  rebuildParams(values);
}

}  // namespace tessel::ui
