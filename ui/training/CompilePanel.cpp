#include "ui/training/CompilePanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"
#include "engine/session/RunSettings.h"
#include "ui/training/DeviceSelector.h"
#include "ui/training/FineTuneRecipeBox.h"
#include "ui/training/LossMetricEditor.h"
#include "ui/training/OptimizerEditor.h"
#include "ui/training/ParamForm.h"

namespace tessel::ui {

namespace {

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

// The callbacks the panel offers: every catalog entry whose parameters the form can edit (not
// LearningRateScheduler, whose schedule is an object). ModelCheckpoint's filepath may stay empty
// in the studio: the checkpoint is then kept in the project only (makeCallbacks).
std::vector<ParamSpec> callbackParams(const CallbackEntry& e) {
  std::vector<ParamSpec> params = e.params;
  for (ParamSpec& p : params)
    if (e.className == "ModelCheckpoint" && p.key == "filepath") {
      p.suggested = "";
      p.doc += " Empty: kept in the project only.";
    }
  return params;
}

bool formCanEdit(const CallbackEntry& e) {
  for (const ParamSpec& p : e.params)
    if (p.type == ParamType::Json) return false;
  return true;
}

}  // namespace

struct CompilePanel::CallbackBox {
  std::string className;
  QGroupBox* box;
  ParamForm* form;
};

CompilePanel::CompilePanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  outputsEditor_ = new LossMetricEditor(this);
  layout->addWidget(outputsEditor_);
  optimizerEditor_ = new OptimizerEditor(this);
  layout->addWidget(optimizerEditor_);

  auto* fitBox = new QGroupBox(tr("Fit"), this);
  auto* fitForm = new QFormLayout(fitBox);
  epochs_ = new QSpinBox(fitBox);
  epochs_->setObjectName("epochsBox");
  epochs_->setRange(1, 1000000);
  epochs_->setValue(10);
  batchSize_ = new QSpinBox(fitBox);
  batchSize_->setObjectName("batchSizeBox");
  batchSize_->setRange(1, 1 << 20);
  batchSize_->setValue(32);  // Keras fit() default
  validationSplit_ = new QDoubleSpinBox(fitBox);
  validationSplit_->setObjectName("validationSplitBox");
  validationSplit_->setRange(0, 0.99);
  validationSplit_->setSingleStep(0.05);
  validationSplit_->setValue(0.0);
  shuffle_ = new QCheckBox(fitBox);
  shuffle_->setChecked(true);
  classWeight_ = new QLineEdit(fitBox);
  classWeight_->setObjectName("classWeight");
  classWeight_->setPlaceholderText(tr("e.g. 0: 1.0, 1: 2.5 (single-output models)"));
  fitForm->addRow(tr("epochs"), epochs_);
  fitForm->addRow(tr("batch_size"), batchSize_);
  fitForm->addRow(tr("validation_split"), validationSplit_);
  fitForm->addRow(tr("shuffle"), shuffle_);
  fitForm->addRow(tr("class_weight"), classWeight_);
  device_ = new DeviceSelector(fitBox);
  fitForm->addRow(tr("device"), device_);
  deterministic_ = new QCheckBox(tr("deterministic GPU ops"), fitBox);
  deterministic_->setObjectName("deterministic");
  deterministic_->setToolTip(
      tr("Keras tf.config.experimental.enable_op_determinism(): on the GPU, only cuDNN's "
         "deterministic convolution algorithms, so that two runs with the same seed give the "
         "same weights bit for bit. Off (Keras's default): cuDNN's fastest algorithms. The CPU "
         "engine is deterministic either way."));
  fitForm->addRow(QString(), deterministic_);
  tf32_ = new QCheckBox(tr("TF32 on the GPU"), fitBox);
  tf32_->setObjectName("tf32");
  tf32_->setToolTip(
      tr("Keras tf.config.experimental.enable_tensor_float_32_execution(True): on the GPU, "
         "matrix products and convolutions use TF32 tensor cores (10-bit mantissa, FP32 range "
         "and sums). Off: full FP32, as Keras's numerics. The CPU ignores it."));
  fitForm->addRow(QString(), tf32_);
  dtypePolicy_ = new QComboBox(fitBox);
  dtypePolicy_->setObjectName("dtypePolicy");
  dtypePolicy_->addItems({QStringLiteral("float32"), QStringLiteral("mixed_float16"),
                          QStringLiteral("mixed_bfloat16")});
  fitForm->addRow(tr("dtype policy"), dtypePolicy_);
  layout->addWidget(fitBox);
  fineTune_ = new FineTuneRecipeBox(this);
  layout->addWidget(fineTune_);
  connect(fineTune_, &FineTuneRecipeBox::changed, this, [this] {
    // The recipe's epochs count instead of fit's.
    epochs_->setEnabled(!fineTune_->isChecked());
    emitChanged();
  });

  auto* cbBox = new QGroupBox(tr("Callbacks"), this);
  auto* cbLayout = new QVBoxLayout(cbBox);
  for (const CallbackEntry& entry : callbackCatalog().all()) {
    if (!formCanEdit(entry)) continue;
    auto* cb = new CallbackBox;
    cb->className = entry.className;
    cb->box = new QGroupBox(qs(entry.className), cbBox);
    cb->box->setObjectName(qs(entry.className));
    cb->box->setToolTip(qs(entry.doc));
    cb->box->setCheckable(true);
    cb->box->setChecked(false);
    auto* l = new QVBoxLayout(cb->box);
    cb->form = new ParamForm(callbackParams(entry), cb->box);
    connect(cb->form, &ParamForm::changed, this, &CompilePanel::emitChanged);
    l->addWidget(cb->form);
    cb->form->setVisible(false);
    connect(cb->box, &QGroupBox::toggled, this, [this, cb](bool on) {
      cb->form->setVisible(on);
      emitChanged();
    });
    cbLayout->addWidget(cb->box);
    callbacks_.push_back(cb);
  }
  layout->addWidget(cbBox);
  layout->addStretch(1);

  connect(outputsEditor_, &LossMetricEditor::changed, this, &CompilePanel::emitChanged);
  connect(optimizerEditor_, &OptimizerEditor::changed, this, &CompilePanel::emitChanged);
  for (QSpinBox* b : {epochs_, batchSize_})
    connect(b, &QSpinBox::valueChanged, this, &CompilePanel::emitChanged);
  connect(validationSplit_, &QDoubleSpinBox::valueChanged, this, &CompilePanel::emitChanged);
  connect(shuffle_, &QCheckBox::toggled, this, &CompilePanel::emitChanged);
  connect(deterministic_, &QCheckBox::toggled, this, &CompilePanel::emitChanged);
  connect(tf32_, &QCheckBox::toggled, this, &CompilePanel::emitChanged);
  connect(dtypePolicy_, &QComboBox::currentIndexChanged, this, &CompilePanel::emitChanged);
  connect(device_, &DeviceSelector::changed, this, &CompilePanel::syncDtypePolicy);
  syncDtypePolicy();
  connect(classWeight_, &QLineEdit::textChanged, this, &CompilePanel::emitChanged);
  connect(device_, &DeviceSelector::changed, this, &CompilePanel::emitChanged);
}

// Keras's mixed precision policies are a GPU option here: on the CPU the combo shows float32,
// greyed out with the reason.
void CompilePanel::syncDtypePolicy() {
  const bool gpu = device_->device() != QStringLiteral("cpu");
  if (!gpu) dtypePolicy_->setCurrentIndex(0);
  dtypePolicy_->setEnabled(gpu);
  dtypePolicy_->setToolTip(
      gpu ? tr("Keras's dtype policy (keras.mixed_precision.set_global_policy). float32: Keras's "
               "default. mixed_float16: matrix products and convolutions on float16 tensor cores "
               "with FP32 weights and sums, and dynamic loss scaling (a step with a non-finite "
               "gradient is skipped and the scale halved, as Keras's LossScaleOptimizer). "
               "mixed_bfloat16: bfloat16 products, no loss scaling. Recurrent layers stay in "
               "FP32.")
          : tr("Mixed precision runs on a GPU: choose a CUDA device first (the CPU engine "
               "computes in float32)."));
}

QStringList CompilePanel::optimizerNames() {
  return OptimizerEditor::optimizerNames();
}

QStringList CompilePanel::lossNames() {
  return LossMetricEditor::lossNames();
}

QStringList CompilePanel::metricNames() {
  return LossMetricEditor::metricNames();
}

json CompilePanel::optimizerDefaults(const QString& className) {
  return OptimizerEditor::optimizerDefaults(className);
}

QStringList CompilePanel::outputNames() const {
  return outputsEditor_->outputNames();
}

QComboBox* CompilePanel::optimizerBox() const {
  return optimizerEditor_->optimizerBox();
}

QDoubleSpinBox* CompilePanel::learningRateBox() const {
  return optimizerEditor_->learningRateBox();
}

QComboBox* CompilePanel::lossBox(int output) const {
  return outputsEditor_->lossBox(output);
}

void CompilePanel::setModel(const ModelSpec& spec) {
  outputsEditor_->setModel(spec);
  fineTune_->setModel(spec);
  emitChanged();
}

void CompilePanel::emitChanged() {
  if (!building_) emit changed();
}

json CompilePanel::trainingConfig() const {
  json tc;
  outputsEditor_->writeTo(tc);
  tc["optimizer_config"] = optimizerEditor_->optimizerConfig();
  return tc;
}

void CompilePanel::setTrainingConfig(const json& tc) {
  if (!tc.is_object()) return;
  building_ = true;
  outputsEditor_->readFrom(tc);
  optimizerEditor_->setOptimizerConfig(tc.value("optimizer_config", json()));
  building_ = false;
  emitChanged();
}

json CompilePanel::fitConfig() const {
  json cw = json::object();
  for (const QString& part : classWeight_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    QStringList kv = part.split(QLatin1Char(':'));
    bool ok1 = false, ok2 = false;
    if (kv.size() != 2) continue;
    int k = kv[0].trimmed().toInt(&ok1);
    double w = kv[1].trimmed().toDouble(&ok2);
    if (ok1 && ok2) cw[std::to_string(k)] = w;
  }
  json fit = {{"epochs", epochs_->value()},
              {"batch_size", batchSize_->value()},
              {"validation_split", validationSplit_->value()},
              {"shuffle", shuffle_->isChecked()},
              {"class_weight", cw}};
  if (device_->device() != QStringLiteral("cpu")) fit["device"] = device_->device().toStdString();
  if (deterministic_->isChecked()) fit["deterministic"] = true;
  if (tf32_->isChecked()) fit["tf32"] = true;
  if (dtypePolicy_->currentIndex() > 0)
    fit["dtype_policy"] = dtypePolicy_->currentText().toStdString();
  return fit;
}

void CompilePanel::setFitConfig(const json& fit) {
  if (!fit.is_object()) return;
  epochs_->setValue(fit.value("epochs", epochs_->value()));
  batchSize_->setValue(fit.value("batch_size", batchSize_->value()));
  validationSplit_->setValue(fit.value("validation_split", validationSplit_->value()));
  shuffle_->setChecked(fit.value("shuffle", shuffle_->isChecked()));
  device_->setDevice(qs(fit.value("device", std::string("cpu"))));
  deterministic_->setChecked(fit.value("deterministic", false));
  tf32_->setChecked(fit.value("tf32", false));
  const int policy = dtypePolicy_->findText(qs(fit.value("dtype_policy", std::string("float32"))));
  dtypePolicy_->setCurrentIndex(std::max(policy, 0));
  syncDtypePolicy();
  QStringList parts;
  if (fit.contains("class_weight") && fit["class_weight"].is_object())
    for (auto it = fit["class_weight"].begin(); it != fit["class_weight"].end(); ++it)
      parts << QStringLiteral("%1: %2").arg(qs(it.key())).arg(it.value().get<double>());
  classWeight_->setText(parts.join(QStringLiteral(", ")));
}

FitOptions CompilePanel::fitOptions() const {
  json j = fitConfig();
  FitOptions f;
  f.epochs = j["epochs"];
  f.batchSize = j["batch_size"];
  f.validationSplit = j["validation_split"];
  f.shuffle = j["shuffle"];
  f.device = j.value("device", std::string("cpu"));
  f.deterministic = j.value("deterministic", false);
  f.tf32 = j.value("tf32", false);
  f.dtypePolicy = j.value("dtype_policy", std::string("float32"));
  for (auto it = j["class_weight"].begin(); it != j["class_weight"].end(); ++it)
    f.classWeight[std::stoi(it.key())] = it.value().get<double>();
  f.verbose = 0;
  return f;
}

CompileOptions CompilePanel::compileOptions() const {
  std::vector<std::string> names;
  for (const QString& o : outputNames()) names.push_back(o.toStdString());
  return CompileOptions::fromTrainingConfig(trainingConfig(), names);
}

json CompilePanel::callbacksConfig() const {
  json list = json::array();
  for (const CallbackBox* cb : callbacks_)
    if (cb->box->isChecked())
      list.push_back({{"class_name", cb->className}, {"config", cb->form->values()}});
  return list;
}

void CompilePanel::setCallbacksConfig(const json& callbacks) {
  for (CallbackBox* cb : callbacks_) {
    bool found = false;
    if (callbacks.is_array())
      for (const json& c : callbacks)
        if (c.value("class_name", std::string()) == cb->className) {
          cb->form->setValues(c.value("config", json::object()));
          found = true;
        }
    cb->box->setChecked(found);
  }
}

json CompilePanel::settings() const {
  json s = {{"compile", trainingConfig()}, {"fit", fitConfig()}, {"callbacks", callbacksConfig()}};
  if (const json recipe = fineTune_->config(); !recipe.is_null()) s["fine_tune"] = recipe;
  return s;
}

void CompilePanel::setSettings(const json& s) {
  if (!s.is_object()) return;
  if (const json tc = RunSettings::trainingConfigOf(s); !tc.is_null()) setTrainingConfig(tc);
  if (s.contains("fit")) setFitConfig(s["fit"]);
  if (s.contains("callbacks")) setCallbacksConfig(s["callbacks"]);
  fineTune_->setConfig(s.value("fine_tune", json()));
  epochs_->setEnabled(!fineTune_->isChecked());
}

}  // namespace tessel::ui
