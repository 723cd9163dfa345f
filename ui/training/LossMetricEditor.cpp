#include "ui/training/LossMetricEditor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"

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

QStringList LossMetricEditor::lossNames() {
  QStringList names;
  for (const LossEntry& e : lossCatalog().all()) names << shortName(e);
  return names;
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
    connect(loss, &QComboBox::currentTextChanged, loss, &QComboBox::setToolTip);
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
    lossDict[name] = lossBox(r)->currentText().toStdString();
    metricDict[name] = metricsList(metricsEdit(r)->text());
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
    json metrics = tc.value("metrics", json());
    json m = outputs_.size() > 1 ? perOutput(metrics, r) : metrics;
    if (!m.is_null()) metricsEdit(r)->setText(metricsText(m));
    json w = perOutput(tc.value("loss_weights", json()), r);
    if (w.is_number()) qobject_cast<QDoubleSpinBox*>(table_->cellWidget(r, 2))->setValue(w);
  }
}

}  // namespace tessel::ui
