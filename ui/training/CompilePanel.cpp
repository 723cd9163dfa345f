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
#include <cmath>
#include <limits>

#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"

namespace tessel {

namespace {

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

// A form built from a JSON object of defaults: numbers → spin boxes, booleans → check boxes,
// strings → line edits, null → a line edit where empty means null.
struct ParamForm {
  struct Field {
    std::string key;
    enum Kind { Int, Double, Bool, String, NullableNumber } kind;
    QWidget* widget;
  };
  QWidget* widget = nullptr;
  std::vector<Field> fields;

  ParamForm(const json& defaults, QWidget* parent, const std::function<void()>& changed) {
    widget = new QWidget(parent);
    auto* form = new QFormLayout(widget);
    form->setContentsMargins(0, 0, 0, 0);
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
      const json& v = it.value();
      Field f{it.key(), Field::String, nullptr};
      if (v.is_boolean()) {
        auto* box = new QCheckBox(widget);
        box->setChecked(v.get<bool>());
        QObject::connect(box, &QCheckBox::toggled, widget, [changed] { changed(); });
        f.kind = Field::Bool;
        f.widget = box;
      } else if (v.is_number_integer()) {
        auto* box = new QSpinBox(widget);
        box->setRange(0, 1000000000);
        box->setValue(v.get<int>());
        QObject::connect(box, &QSpinBox::valueChanged, widget, [changed] { changed(); });
        f.kind = Field::Int;
        f.widget = box;
      } else if (v.is_number()) {
        auto* box = new QDoubleSpinBox(widget);
        box->setDecimals(8);
        box->setRange(-1e9, 1e9);
        box->setSingleStep(it.key() == "learning_rate" ? 1e-4 : 0.01);
        box->setValue(v.get<double>());
        QObject::connect(box, &QDoubleSpinBox::valueChanged, widget, [changed] { changed(); });
        f.kind = Field::Double;
        f.widget = box;
      } else {
        auto* edit = new QLineEdit(widget);
        if (v.is_string()) {
          edit->setText(qs(v.get<std::string>()));
          f.kind = Field::String;
        } else {
          edit->setPlaceholderText(QStringLiteral("None"));
          f.kind = Field::NullableNumber;
        }
        QObject::connect(edit, &QLineEdit::textChanged, widget, [changed] { changed(); });
        f.widget = edit;
      }
      f.widget->setObjectName(qs(it.key()));
      form->addRow(qs(it.key()), f.widget);
      fields.push_back(f);
    }
  }

  json values() const {
    json out = json::object();
    for (const Field& f : fields) {
      switch (f.kind) {
        case Field::Bool:
          out[f.key] = static_cast<QCheckBox*>(f.widget)->isChecked();
          break;
        case Field::Int:
          out[f.key] = static_cast<QSpinBox*>(f.widget)->value();
          break;
        case Field::Double:
          out[f.key] = static_cast<QDoubleSpinBox*>(f.widget)->value();
          break;
        case Field::String:
          out[f.key] = static_cast<QLineEdit*>(f.widget)->text().toStdString();
          break;
        case Field::NullableNumber: {
          bool ok = false;
          double d = static_cast<QLineEdit*>(f.widget)->text().trimmed().toDouble(&ok);
          out[f.key] = ok ? json(d) : json(nullptr);
          break;
        }
      }
    }
    return out;
  }

  void setValues(const json& v) {
    if (!v.is_object()) return;
    for (const Field& f : fields) {
      if (!v.contains(f.key)) continue;
      const json& x = v[f.key];
      switch (f.kind) {
        case Field::Bool:
          if (x.is_boolean()) static_cast<QCheckBox*>(f.widget)->setChecked(x.get<bool>());
          break;
        case Field::Int:
          if (x.is_number()) static_cast<QSpinBox*>(f.widget)->setValue(x.get<int>());
          break;
        case Field::Double:
          if (x.is_number()) static_cast<QDoubleSpinBox*>(f.widget)->setValue(x.get<double>());
          break;
        case Field::String:
          if (x.is_string()) static_cast<QLineEdit*>(f.widget)->setText(qs(x.get<std::string>()));
          break;
        case Field::NullableNumber:
          static_cast<QLineEdit*>(f.widget)->setText(
              x.is_number() ? QString::number(x.get<double>()) : QString());
          break;
      }
    }
  }

  QWidget* field(const std::string& key) const {
    for (const Field& f : fields)
      if (f.key == key) return f.widget;
    return nullptr;
  }
};

// Keras 2 callback defaults (tf.keras.callbacks, Keras 2.12).
json callbackDefaults(const std::string& cls) {
  if (cls == "EarlyStopping")
    return {{"monitor", "val_loss"},
            {"min_delta", 0.0},
            {"patience", 0},
            {"verbose", 0},
            {"mode", "auto"},
            {"baseline", nullptr},
            {"restore_best_weights", false},
            {"start_from_epoch", 0}};
  if (cls == "ModelCheckpoint")
    return {{"filepath", ""},
            {"monitor", "val_loss"},
            {"verbose", 0},
            {"save_best_only", false},
            {"save_weights_only", false},
            {"mode", "auto"},
            {"save_freq", "epoch"},
            {"initial_value_threshold", nullptr}};
  if (cls == "ReduceLROnPlateau")
    return {{"monitor", "val_loss"}, {"factor", 0.1},     {"patience", 10}, {"verbose", 0},
            {"mode", "auto"},        {"min_delta", 1e-4}, {"cooldown", 0},  {"min_lr", 0.0}};
  if (cls == "TerminateOnNaN") return json::object();
  return json();
}

const char* const kCallbackNames[] = {"EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau",
                                      "TerminateOnNaN"};

// Keras schedule defaults used to prefill the schedule config (Keras docs examples; all keys are
// required by Keras except the booleans).
json scheduleDefaults(const QString& cls, double lr) {
  if (cls == QLatin1String("ExponentialDecay"))
    return {{"initial_learning_rate", lr},
            {"decay_steps", 10000},
            {"decay_rate", 0.9},
            {"staircase", false}};
  if (cls == QLatin1String("InverseTimeDecay"))
    return {{"initial_learning_rate", lr},
            {"decay_steps", 1000},
            {"decay_rate", 0.5},
            {"staircase", false}};
  if (cls == QLatin1String("PiecewiseConstantDecay"))
    return {{"boundaries", {100000, 110000}}, {"values", {lr, lr * 0.5, lr * 0.1}}};
  if (cls == QLatin1String("PolynomialDecay"))
    return {{"initial_learning_rate", lr},
            {"decay_steps", 10000},
            {"end_learning_rate", 0.0001},
            {"power", 1.0},
            {"cycle", false}};
  if (cls == QLatin1String("CosineDecay"))
    return {{"initial_learning_rate", lr}, {"decay_steps", 10000}, {"alpha", 0.0}};
  return json();
}

// Default loss and metrics of an output node from its layer (Dense/Activation units, activation).
std::pair<QString, QString> defaultLossFor(const ModelSpec& spec, const std::string& output) {
  const NodeSpec* n = spec.find(output);
  std::string act = n ? n->config.value("activation", std::string("linear")) : "linear";
  int units = n && n->config.contains("units") && n->config["units"].is_number()
                  ? n->config["units"].get<int>()
                  : 0;
  if (act == "softmax" && units != 1)
    return {QStringLiteral("sparse_categorical_crossentropy"), QStringLiteral("accuracy")};
  if (act == "sigmoid") return {QStringLiteral("binary_crossentropy"), QStringLiteral("accuracy")};
  return {QStringLiteral("mse"), QStringLiteral("mae")};
}

json metricsList(const QString& text) {
  json list = json::array();
  for (const QString& m : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
    if (!m.trimmed().isEmpty()) list.push_back(m.trimmed().toStdString());
  return list;
}

QString metricsText(const json& list) {
  QStringList parts;
  if (list.is_array()) {
    for (const json& m : list) {
      if (m.is_string())
        parts << qs(m.get<std::string>());
      else if (m.is_object() && m.contains("class_name"))
        parts << qs(m["class_name"].get<std::string>());
    }
  }
  if (list.is_string()) parts << qs(list.get<std::string>());
  return parts.join(QStringLiteral(", "));
}

}  // namespace

struct CompilePanel::CallbackBox {
  std::string className;
  QGroupBox* box;
  ParamForm* form;
};

struct CompilePanel::OutputRow {};

CompilePanel::CompilePanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  auto* outputsBox = new QGroupBox(tr("Outputs: loss, loss weight, metrics"), this);
  auto* outputsLayout = new QVBoxLayout(outputsBox);
  outputTable_ = new QTableWidget(0, 4, outputsBox);
  outputTable_->setObjectName("outputTable");
  outputTable_->setHorizontalHeaderLabels(
      {tr("Output"), tr("Loss"), tr("Loss weight"), tr("Metrics")});
  outputTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  outputTable_->verticalHeader()->setVisible(false);
  outputTable_->setMinimumHeight(70);
  outputsLayout->addWidget(outputTable_);
  layout->addWidget(outputsBox);

  auto* optBox = new QGroupBox(tr("Optimizer"), this);
  optimizerForm_ = new QFormLayout(optBox);
  optimizer_ = new QComboBox(optBox);
  optimizer_->setObjectName("optimizerBox");
  optimizer_->addItems(optimizerNames());
  optimizer_->setCurrentText(QStringLiteral("RMSprop"));  // Keras compile() default
  optimizerForm_->addRow(tr("Optimizer"), optimizer_);
  schedule_ = new QComboBox(optBox);
  schedule_->setObjectName("scheduleBox");
  schedule_->addItems({tr("None"), QStringLiteral("ExponentialDecay"),
                       QStringLiteral("InverseTimeDecay"), QStringLiteral("PiecewiseConstantDecay"),
                       QStringLiteral("PolynomialDecay"), QStringLiteral("CosineDecay")});
  scheduleParams_ = new QLineEdit(optBox);
  scheduleParams_->setObjectName("scheduleParams");
  scheduleParams_->setEnabled(false);
  optimizerForm_->addRow(tr("LR schedule"), schedule_);
  optimizerForm_->addRow(tr("Schedule config"), scheduleParams_);
  layout->addWidget(optBox);

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
  layout->addWidget(fitBox);

  auto* cbBox = new QGroupBox(tr("Callbacks"), this);
  auto* cbLayout = new QVBoxLayout(cbBox);
  for (const char* name : kCallbackNames) {
    auto* cb = new CallbackBox;
    cb->className = name;
    cb->box = new QGroupBox(QString::fromLatin1(name), cbBox);
    cb->box->setObjectName(QString::fromLatin1(name));
    cb->box->setCheckable(true);
    cb->box->setChecked(false);
    auto* l = new QVBoxLayout(cb->box);
    cb->form = new ParamForm(callbackDefaults(name), cb->box, [this] { emitChanged(); });
    l->addWidget(cb->form->widget);
    cb->form->widget->setVisible(false);
    connect(cb->box, &QGroupBox::toggled, this, [this, cb](bool on) {
      cb->form->widget->setVisible(on);
      emitChanged();
    });
    cbLayout->addWidget(cb->box);
    callbacks_.push_back(cb);
  }
  layout->addWidget(cbBox);
  layout->addStretch(1);

  rebuildOptimizerParams(optimizerDefaults(optimizer_->currentText()));
  connect(optimizer_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
    if (building_) return;
    rebuildOptimizerParams(optimizerDefaults(name));
    emitChanged();
  });
  connect(schedule_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (building_) return;
    scheduleParams_->setEnabled(index > 0);
    double lr = learningRateBox() ? learningRateBox()->value() : 0.001;
    json d = scheduleDefaults(schedule_->currentText(), lr);
    scheduleParams_->setText(d.is_null() ? QString() : qs(d.dump()));
    emitChanged();
  });
  connect(scheduleParams_, &QLineEdit::textChanged, this, &CompilePanel::emitChanged);
  for (QSpinBox* b : {epochs_, batchSize_})
    connect(b, &QSpinBox::valueChanged, this, &CompilePanel::emitChanged);
  connect(validationSplit_, &QDoubleSpinBox::valueChanged, this, &CompilePanel::emitChanged);
  connect(shuffle_, &QCheckBox::toggled, this, &CompilePanel::emitChanged);
  connect(classWeight_, &QLineEdit::textChanged, this, &CompilePanel::emitChanged);
}

QStringList CompilePanel::optimizerNames() {
  return {QStringLiteral("SGD"),     QStringLiteral("RMSprop"), QStringLiteral("Adam"),
          QStringLiteral("Adagrad"), QStringLiteral("Adamax"),  QStringLiteral("Nadam")};
}

QStringList CompilePanel::lossNames() {
  return {QStringLiteral("mse"),
          QStringLiteral("mae"),
          QStringLiteral("mape"),
          QStringLiteral("huber_loss"),
          QStringLiteral("log_cosh"),
          QStringLiteral("binary_crossentropy"),
          QStringLiteral("categorical_crossentropy"),
          QStringLiteral("sparse_categorical_crossentropy"),
          QStringLiteral("kl_divergence"),
          QStringLiteral("hinge")};
}

QStringList CompilePanel::metricNames() {
  return {QStringLiteral("accuracy"),
          QStringLiteral("mae"),
          QStringLiteral("mse"),
          QStringLiteral("rmse"),
          QStringLiteral("mape"),
          QStringLiteral("sparse_categorical_accuracy"),
          QStringLiteral("categorical_accuracy"),
          QStringLiteral("binary_accuracy"),
          QStringLiteral("top_k_categorical_accuracy")};
}

// Keras 2.11+ optimizer defaults (keras/optimizers/*.py); clip* default to None.
json CompilePanel::optimizerDefaults(const QString& className) {
  json clip = {{"clipnorm", nullptr}, {"clipvalue", nullptr}, {"global_clipnorm", nullptr}};
  json d;
  if (className == QLatin1String("SGD"))
    d = {{"learning_rate", 0.01}, {"momentum", 0.0}, {"nesterov", false}};
  else if (className == QLatin1String("RMSprop"))
    d = {{"learning_rate", 0.001},
         {"rho", 0.9},
         {"momentum", 0.0},
         {"epsilon", 1e-7},
         {"centered", false}};
  else if (className == QLatin1String("Adam"))
    d = {{"learning_rate", 0.001},
         {"beta_1", 0.9},
         {"beta_2", 0.999},
         {"epsilon", 1e-7},
         {"amsgrad", false}};
  else if (className == QLatin1String("Adagrad"))
    d = {{"learning_rate", 0.001}, {"initial_accumulator_value", 0.1}, {"epsilon", 1e-7}};
  else if (className == QLatin1String("Adamax") || className == QLatin1String("Nadam"))
    d = {{"learning_rate", 0.001}, {"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}};
  else
    return json::object();
  d.update(clip);
  return d;
}

QDoubleSpinBox* CompilePanel::learningRateBox() const {
  return optimizerParams_ ? optimizerParams_->findChild<QDoubleSpinBox*>("learning_rate") : nullptr;
}

QComboBox* CompilePanel::lossBox(int output) const {
  if (output < 0 || output >= outputTable_->rowCount()) return nullptr;
  return qobject_cast<QComboBox*>(outputTable_->cellWidget(output, 1));
}

void CompilePanel::rebuildOptimizerParams(const json& values) {
  if (optimizerParams_) {
    optimizerForm_->removeRow(optimizerParams_);  // deletes the widget
    optimizerParams_ = nullptr;
  }
  json defaults = optimizerDefaults(optimizer_->currentText());
  auto* form = new ParamForm(defaults, this, [this] { emitChanged(); });
  form->setValues(values);
  optimizerParams_ = form->widget;
  optimizerParams_->setObjectName("optimizerParams");
  // The form object lives as long as its widget.
  connect(optimizerParams_, &QObject::destroyed, [form] { delete form; });
  optimizerParams_->setProperty("form", QVariant::fromValue(static_cast<void*>(form)));
  optimizerForm_->insertRow(1, tr("Parameters"), optimizerParams_);
}

void CompilePanel::setModel(const ModelSpec& spec) {
  // Remember the rows of the current outputs.
  for (int r = 0; r < outputTable_->rowCount(); ++r) {
    auto* loss = qobject_cast<QComboBox*>(outputTable_->cellWidget(r, 1));
    auto* weight = qobject_cast<QDoubleSpinBox*>(outputTable_->cellWidget(r, 2));
    auto* metrics = qobject_cast<QLineEdit*>(outputTable_->cellWidget(r, 3));
    outputState_[outputTable_->item(r, 0)->text()] = {{"loss", loss->currentText().toStdString()},
                                                      {"weight", weight->value()},
                                                      {"metrics", metrics->text().toStdString()}};
  }
  outputs_.clear();
  for (const auto& o : spec.outputs) outputs_ << qs(o);
  building_ = true;
  outputTable_->setRowCount(static_cast<int>(outputs_.size()));
  for (int r = 0; r < outputs_.size(); ++r) {
    const QString& name = outputs_[r];
    auto [defLoss, defMetric] = defaultLossFor(spec, name.toStdString());
    auto* item = new QTableWidgetItem(name);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    outputTable_->setItem(r, 0, item);
    auto* loss = new QComboBox;
    loss->setEditable(true);
    loss->addItems(lossNames());
    auto* weight = new QDoubleSpinBox;
    weight->setRange(0, 1e6);
    weight->setDecimals(4);
    weight->setValue(1.0);
    auto* metrics = new QLineEdit;
    metrics->setPlaceholderText(tr("comma separated"));
    auto state = outputState_.find(name);
    if (state != outputState_.end()) {
      loss->setCurrentText(qs(state->second["loss"].get<std::string>()));
      weight->setValue(state->second["weight"].get<double>());
      metrics->setText(qs(state->second["metrics"].get<std::string>()));
    } else {
      loss->setCurrentText(defLoss);
      metrics->setText(defMetric);
    }
    connect(loss, &QComboBox::currentTextChanged, this, &CompilePanel::emitChanged);
    connect(weight, &QDoubleSpinBox::valueChanged, this, &CompilePanel::emitChanged);
    connect(metrics, &QLineEdit::textChanged, this, &CompilePanel::emitChanged);
    outputTable_->setCellWidget(r, 1, loss);
    outputTable_->setCellWidget(r, 2, weight);
    outputTable_->setCellWidget(r, 3, metrics);
  }
  outputTable_->setColumnHidden(2, outputs_.size() < 2);  // loss_weights: multi-output models
  building_ = false;
  emitChanged();
}

void CompilePanel::rebuildOutputs() {}

void CompilePanel::emitChanged() {
  if (!building_) emit changed();
}

json CompilePanel::trainingConfig() const {
  json tc;
  const bool multi = outputs_.size() > 1;
  json lossDict = json::object(), metricDict = json::object(), weightDict = json::object();
  json singleLoss = "mse", singleMetrics = json::array();
  for (int r = 0; r < outputTable_->rowCount(); ++r) {
    std::string name = outputs_.value(r).toStdString();
    auto* loss = qobject_cast<QComboBox*>(outputTable_->cellWidget(r, 1));
    auto* weight = qobject_cast<QDoubleSpinBox*>(outputTable_->cellWidget(r, 2));
    auto* metrics = qobject_cast<QLineEdit*>(outputTable_->cellWidget(r, 3));
    lossDict[name] = loss->currentText().toStdString();
    metricDict[name] = metricsList(metrics->text());
    weightDict[name] = weight->value();
    if (r == 0) {
      singleLoss = lossDict[name];
      singleMetrics = metricDict[name];
    }
  }
  tc["loss"] = multi ? lossDict : singleLoss;
  tc["metrics"] = multi ? metricDict : singleMetrics;
  tc["loss_weights"] = multi ? weightDict : json(nullptr);
  json config = json::object();
  if (optimizerParams_) {
    auto* form = static_cast<ParamForm*>(optimizerParams_->property("form").value<void*>());
    config = form->values();
  }
  // clip* stay out of the config when None (as Keras get_config writes null; the engine reads
  // both).
  for (const char* k : {"clipnorm", "clipvalue", "global_clipnorm"})
    if (config.contains(k) && config[k].is_null()) config.erase(k);
  if (schedule_->currentIndex() > 0) {
    json sc = json::parse(scheduleParams_->text().toStdString(), nullptr, false);
    if (!sc.is_discarded() && sc.is_object())
      config["learning_rate"] = {{"class_name", schedule_->currentText().toStdString()},
                                 {"config", sc}};
  }
  tc["optimizer_config"] = {{"class_name", optimizer_->currentText().toStdString()},
                            {"config", config}};
  return tc;
}

void CompilePanel::setTrainingConfig(const json& tc) {
  if (!tc.is_object()) return;
  auto perOutput = [&](const json& v, int r) -> json {
    std::string name = outputs_.value(r).toStdString();
    if (v.is_object() && !v.contains("class_name")) return v.value(name, json());
    if (v.is_array() && !v.empty() && (outputs_.size() > 1 || !v[0].is_string()))
      return r < static_cast<int>(v.size()) ? v[r] : v.back();
    return v;
  };
  for (int r = 0; r < outputTable_->rowCount(); ++r) {
    json loss = perOutput(tc.value("loss", json()), r);
    if (loss.is_string()) lossBox(r)->setCurrentText(qs(loss.get<std::string>()));
    json metrics = tc.value("metrics", json());
    json m = outputs_.size() > 1 ? perOutput(metrics, r) : metrics;
    if (!m.is_null())
      qobject_cast<QLineEdit*>(outputTable_->cellWidget(r, 3))->setText(metricsText(m));
    json w = perOutput(tc.value("loss_weights", json()), r);
    if (w.is_number()) qobject_cast<QDoubleSpinBox*>(outputTable_->cellWidget(r, 2))->setValue(w);
  }
  json oc = tc.value("optimizer_config", json());
  if (oc.is_object() && oc.contains("class_name")) {
    QString cls = qs(oc["class_name"].get<std::string>());
    for (const QString& n : optimizerNames())
      if (n.compare(cls, Qt::CaseInsensitive) == 0) cls = n;
    json config = oc.value("config", json::object());
    building_ = true;
    optimizer_->setCurrentText(cls);
    building_ = false;
    json lr = config.value("learning_rate", json());
    json values = config;
    if (lr.is_object()) {
      json sc = lr.value("config", json::object());
      values["learning_rate"] = sc.value("initial_learning_rate", 0.001);
      building_ = true;
      schedule_->setCurrentText(qs(lr.value("class_name", std::string())));
      building_ = false;
      scheduleParams_->setEnabled(schedule_->currentIndex() > 0);
      scheduleParams_->setText(qs(sc.dump()));
    } else {
      building_ = true;
      schedule_->setCurrentIndex(0);
      building_ = false;
      scheduleParams_->clear();
      scheduleParams_->setEnabled(false);
    }
    rebuildOptimizerParams(values);
  }
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
  return {{"epochs", epochs_->value()},
          {"batch_size", batchSize_->value()},
          {"validation_split", validationSplit_->value()},
          {"shuffle", shuffle_->isChecked()},
          {"class_weight", cw}};
}

void CompilePanel::setFitConfig(const json& fit) {
  if (!fit.is_object()) return;
  epochs_->setValue(fit.value("epochs", epochs_->value()));
  batchSize_->setValue(fit.value("batch_size", batchSize_->value()));
  validationSplit_->setValue(fit.value("validation_split", validationSplit_->value()));
  shuffle_->setChecked(fit.value("shuffle", shuffle_->isChecked()));
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
  for (auto it = j["class_weight"].begin(); it != j["class_weight"].end(); ++it)
    f.classWeight[std::stoi(it.key())] = it.value().get<double>();
  f.verbose = 0;
  return f;
}

CompileOptions CompilePanel::compileOptions() const {
  std::vector<std::string> names;
  for (const QString& o : outputs_) names.push_back(o.toStdString());
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
  return {{"training_config", trainingConfig()},
          {"fit", fitConfig()},
          {"callbacks", callbacksConfig()}};
}

void CompilePanel::setSettings(const json& s) {
  if (!s.is_object()) return;
  if (s.contains("training_config")) setTrainingConfig(s["training_config"]);
  if (s.contains("fit")) setFitConfig(s["fit"]);
  if (s.contains("callbacks")) setCallbacksConfig(s["callbacks"]);
}

std::vector<std::unique_ptr<Callback>> makeCallbacks(
    const json& callbacks,
    const std::function<void(const std::string& path, bool weightsOnly)>& saver) {
  std::vector<std::unique_ptr<Callback>> out;
  if (!callbacks.is_array()) return out;
  CallbackContext context;
  context.out = nullptr;  // callbacks' verbose output goes nowhere in the studio
  context.saver = saver ? saver : [](const std::string&, bool) {};
  for (json c : callbacks) {
    // Empty filepath: the checkpoint lives in the project only (the saver skips files).
    if (c.is_object() && c.value("class_name", json()) == "ModelCheckpoint") {
      json& cfg = c["config"];
      if (cfg.is_null()) cfg = json::object();
      const json path = cfg.is_object() ? cfg.value("filepath", json()) : json("-");
      if (path.is_null() || path == "") cfg["filepath"] = "project:{epoch:02d}";
    }
    out.push_back(makeCallback(c, context));
  }
  return out;
}

}  // namespace tessel
