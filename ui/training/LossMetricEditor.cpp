#include "ui/training/LossMetricEditor.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "ui/expr/CustomFunctionDialog.h"

namespace tessel::ui {

namespace {

using json = nlohmann::json;

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

template <typename Entry>
QString shortName(const Entry& e) {
  return qs(e.aliases.empty() ? e.className : e.aliases.front());
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

bool isCustom(const json& v, const char* className) {
  return v.is_object() && v.value("class_name", std::string()) == className;
}

QString customName(const json& v) {
  return qs(v.value("config", json::object()).value("name", std::string()));
}

// The metrics field's button: "ƒ+" drawn (icon themes may be missing).
QIcon customMetricIcon() {
  QPixmap pm(20, 16);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setPen(QColor(0x1565c0));
  QFont f;
  f.setPixelSize(13);
  f.setBold(true);
  p.setFont(f);
  p.drawText(pm.rect(), Qt::AlignCenter, QString::fromUtf8("\u0192+"));
  return QIcon(pm);
}

QString metricsText(const json& list) {
  QStringList parts;
  if (list.is_array()) {
    for (const json& m : list) {
      if (m.is_string())
        parts << qs(m.get<std::string>());
      else if (isCustom(m, "ExpressionMetric"))
        parts << customName(m);
      else if (m.is_object() && m.contains("class_name"))
        parts << qs(m["class_name"].get<std::string>());
    }
  }
  if (list.is_string()) parts << qs(list.get<std::string>());
  return parts.join(QStringLiteral(", "));
}

}  // namespace

QStringList LossMetricEditor::lossNames() {
  QStringList names;
  for (const LossEntry& e : lossCatalog().all())
    names << (e.className == "ExpressionLoss" ? customItem() : shortName(e));
  return names;
}

QString LossMetricEditor::customItem() {
  return QString::fromUtf8("custom\u2026");
}

CustomFunctionDialog* LossMetricEditor::customDialog() const {
  return dialog_;
}

QAction* LossMetricEditor::customMetricAction(int output) const {
  QLineEdit* e = metricsEdit(output);
  return e ? e->findChild<QAction*>("customMetricAction") : nullptr;
}

void LossMetricEditor::editCustom(int row, bool metric) {
  const QString output = outputs_.value(row);
  QComboBox* box = lossBox(row);
  if (output.isEmpty() || !box) return;
  if (dialog_) dialog_->close();
  const auto kind = metric ? CustomFunctionDialog::Metric : CustomFunctionDialog::Loss;
  auto shape = outputShapes_.find(output);
  auto* d = new CustomFunctionDialog(
      kind, output, shape != outputShapes_.end() ? shape->second : Shape{kNone, kNone}, this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  if (!metric && customLoss_.count(output)) d->setValue(customLoss_[output]);
  dialog_ = d;
  const QString before = box->property("chosenLoss").toString();
  connect(d, &QDialog::finished, this, [this, d, row, metric, output, before](int result) {
    QComboBox* box = lossBox(row);
    if (!box || outputs_.value(row) != output) return;
    if (result == QDialog::Accepted) {
      const json v = d->value();
      if (metric) {
        customMetrics_[output][customName(v)] = v;
        QLineEdit* e = metricsEdit(row);
        QStringList names = e->text().split(',', Qt::SkipEmptyParts);
        for (QString& n : names) n = n.trimmed();
        if (!names.contains(customName(v))) names << customName(v);
        e->setText(names.join(QStringLiteral(", ")));
      } else {
        customLoss_[output] = v;
        box->setCurrentText(customName(v));
      }
      emitChanged();
    } else if (!metric) {
      box->setCurrentText(before);
    }
  });
  d->open();
}

QStringList LossMetricEditor::metricNames() {
  QStringList names;
  for (const std::string& n : resolvedMetricNames()) names << qs(n);
  for (const MetricEntry& e : metricCatalog().all()) names << shortName(e);
  return names;
}

LossMetricEditor::LossMetricEditor(QWidget* parent)
    : QGroupBox(tr("Outputs: loss, loss weight, metrics"), parent) {
  auto* layout = new QVBoxLayout(this);
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName("outputTable");
  table_->setHorizontalHeaderLabels({tr("Output"), tr("Loss"), tr("Loss weight"), tr("Metrics")});
  // Output and loss columns fit their contents (a loss name is never cut); metrics take the rest.
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
  table_->verticalHeader()->setVisible(false);
  table_->setMinimumHeight(70);
  layout->addWidget(table_);
}

QComboBox* LossMetricEditor::lossBox(int output) const {
  if (output < 0 || output >= table_->rowCount()) return nullptr;
  return qobject_cast<QComboBox*>(table_->cellWidget(output, 1));
}

QLineEdit* LossMetricEditor::metricsEdit(int output) const {
  if (output < 0 || output >= table_->rowCount()) return nullptr;
  return qobject_cast<QLineEdit*>(table_->cellWidget(output, 3));
}

void LossMetricEditor::emitChanged() {
  if (!building_) emit changed();
}

void LossMetricEditor::setModel(const ModelSpec& spec) {
  // Remember the rows of the current outputs.
  for (int r = 0; r < table_->rowCount(); ++r) {
    auto* weight = qobject_cast<QDoubleSpinBox*>(table_->cellWidget(r, 2));
    outputState_[table_->item(r, 0)->text()] = {{"loss", lossBox(r)->currentText().toStdString()},
                                                {"weight", weight->value()},
                                                {"metrics", metricsEdit(r)->text().toStdString()}};
  }
  outputs_.clear();
  for (const auto& o : spec.outputs) outputs_ << qs(o);
  const ShapeReport shapes = inferShapes(spec);
  // A model output may be a node's other output (LSTM return_state's h, attention scores): the
  // shape of the tensor the model returns (ModelSpec::outputTensors), not the node's output 0.
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    if (const NodeShapes* s = shapes.find(spec.outputs[i]))
      if (std::optional<Shape> shape = s->outputAt(size_t(spec.outputTensor(i))))
        outputShapes_[qs(spec.outputs[i])] = *shape;
  building_ = true;
  table_->setRowCount(static_cast<int>(outputs_.size()));
  const QString metricHelp =
      tr("comma separated: %1").arg(metricNames().join(QStringLiteral(", ")));
  for (int r = 0; r < outputs_.size(); ++r) {
    const QString& name = outputs_[r];
    auto [defLoss, defMetric] = defaultLossFor(spec, name.toStdString());
    auto* item = new QTableWidgetItem(name);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    table_->setItem(r, 0, item);
    auto* loss = new QComboBox;
    loss->setEditable(true);
    loss->addItems(lossNames());
    loss->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    loss->setMinimumContentsLength(static_cast<int>(
        std::ranges::max(lossNames(), {}, [](const QString& n) { return n.size(); }).size()));
    auto* weight = new QDoubleSpinBox;
    weight->setRange(0, 1e6);
    weight->setDecimals(4);
    weight->setValue(1.0);
    auto* metrics = new QLineEdit;
    metrics->setPlaceholderText(tr("comma separated"));
    metrics->setToolTip(metricHelp);
    auto state = outputState_.find(name);
    if (state != outputState_.end()) {
      loss->setCurrentText(qs(state->second["loss"].get<std::string>()));
      weight->setValue(state->second["weight"].get<double>());
      metrics->setText(qs(state->second["metrics"].get<std::string>()));
    } else {
      loss->setCurrentText(defLoss);
      metrics->setText(defMetric);
    }
    loss->setToolTip(loss->currentText());
    loss->setProperty("chosenLoss", loss->currentText());
    connect(loss, &QComboBox::currentTextChanged, loss, &QComboBox::setToolTip);
    connect(loss, &QComboBox::currentTextChanged, this, [this, loss, r](const QString& t) {
      if (t != customItem()) {
        loss->setProperty("chosenLoss", t);
      } else if (!building_) {
        editCustom(r, false);
      }
    });
    QAction* custom = metrics->addAction(customMetricIcon(), QLineEdit::TrailingPosition);
    custom->setObjectName("customMetricAction");
    custom->setToolTip(tr("Add a custom metric (an expression of y_true, y_pred, sample_weight)…"));
    connect(custom, &QAction::triggered, this, [this, r] { editCustom(r, true); });
    connect(loss, &QComboBox::currentTextChanged, this, &LossMetricEditor::emitChanged);
    connect(weight, &QDoubleSpinBox::valueChanged, this, &LossMetricEditor::emitChanged);
    connect(metrics, &QLineEdit::textChanged, this, &LossMetricEditor::emitChanged);
    table_->setCellWidget(r, 1, loss);
    table_->setCellWidget(r, 2, weight);
    table_->setCellWidget(r, 3, metrics);
  }
  table_->setColumnHidden(2, outputs_.size() < 2);  // loss_weights: multi-output models
  building_ = false;
}

void LossMetricEditor::writeTo(json& tc) const {
  const bool multi = outputs_.size() > 1;
  json lossDict = json::object(), metricDict = json::object(), weightDict = json::object();
  json singleLoss = "mse", singleMetrics = json::array();
  for (int r = 0; r < table_->rowCount(); ++r) {
    std::string name = outputs_.value(r).toStdString();
    auto* weight = qobject_cast<QDoubleSpinBox*>(table_->cellWidget(r, 2));
    const QString loss = lossBox(r)->currentText();
    auto custom = customLoss_.find(outputs_.value(r));
    lossDict[name] = custom != customLoss_.end() && customName(custom->second) == loss
                         ? custom->second
                         : json(loss.toStdString());
    metricDict[name] = metricsOf(r);
    weightDict[name] = weight->value();
    if (r == 0) {
      singleLoss = lossDict[name];
      singleMetrics = metricDict[name];
    }
  }
  tc["loss"] = multi ? lossDict : singleLoss;
  tc["metrics"] = multi ? metricDict : singleMetrics;
  tc["loss_weights"] = multi ? weightDict : json(nullptr);
}

json LossMetricEditor::metricsOf(int row) const {
  json list = metricsList(metricsEdit(row)->text());
  auto custom = customMetrics_.find(outputs_.value(row));
  if (custom != customMetrics_.end())
    for (json& m : list)
      if (auto it = custom->second.find(qs(m.get<std::string>())); it != custom->second.end())
        m = it->second;
  return list;
}

void LossMetricEditor::rememberCustomMetrics(const QString& output, const json& metrics) {
  if (metrics.is_array())
    for (const json& m : metrics)
      if (isCustom(m, "ExpressionMetric")) customMetrics_[output][customName(m)] = m;
}

void LossMetricEditor::readFrom(const json& tc) {
  auto perOutput = [&](const json& v, int r) -> json {
    std::string name = outputs_.value(r).toStdString();
    if (v.is_object() && !v.contains("class_name")) return v.value(name, json());
    if (v.is_array() && !v.empty() && (outputs_.size() > 1 || !v[0].is_string()))
      return r < static_cast<int>(v.size()) ? v[r] : v.back();
    return v;
  };
  for (int r = 0; r < table_->rowCount(); ++r) {
    json loss = perOutput(tc.value("loss", json()), r);
    if (loss.is_string()) lossBox(r)->setCurrentText(qs(loss.get<std::string>()));
    if (isCustom(loss, "ExpressionLoss")) {
      customLoss_[outputs_.value(r)] = loss;
      lossBox(r)->setCurrentText(customName(loss));
    }
    json metrics = tc.value("metrics", json());
    json m = outputs_.size() > 1 ? perOutput(metrics, r) : metrics;
    rememberCustomMetrics(outputs_.value(r), m);
    if (!m.is_null()) metricsEdit(r)->setText(metricsText(m));
    json w = perOutput(tc.value("loss_weights", json()), r);
    if (w.is_number()) qobject_cast<QDoubleSpinBox*>(table_->cellWidget(r, 2))->setValue(w);
  }
}

}  // namespace tessel::ui
