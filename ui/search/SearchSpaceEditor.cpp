#include "ui/search/SearchSpaceEditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/search/ApplyHyperparameters.h"

namespace tessel::ui {

using json = nlohmann::json;

namespace {

enum Column { kName, kTarget, kDistribution, kMin, kMax, kStep, kValues, kCondition, kColumns };

// The keys of a space item that have a column; the others ride along with the row.
const char* kColumnKeys[] = {"name", "target", "distribution", "min", "max", "step", "values"};

QString conditionText(const json& p) {
  if (!p.contains("condition") || !p["condition"].is_object()) return {};
  const json& c = p["condition"];
  QStringList values;
  for (const auto& v : c.value("values", json::array()))
    values << (v.is_string() ? QString::fromStdString(v.get<std::string>())
                             : QString::fromStdString(v.dump()));
  return QString::fromStdString(c.value("parameter", "")) + " = " + values.join(" | ");
}

const char* kLayerKeys[] = {"units", "filters", "rate", "activation", "alpha", "momentum"};

QString text(const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

}  // namespace

SearchSpaceEditor::SearchSpaceEditor(QWidget* parent)
    : QWidget(parent),
      candidates_(new QComboBox(this)),
      mark_(new QPushButton(tr("Mark as search"), this)),
      remove_(new QPushButton(tr("Unmark"), this)),
      table_(new QTableWidget(0, kColumns, this)) {
  table_->setHorizontalHeaderLabels({tr("name"), tr("target"), tr("distribution"), tr("min"),
                                     tr("max"), tr("step"), tr("values"), tr("only when")});
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* row = new QHBoxLayout;
  row->addWidget(candidates_, 1);
  row->addWidget(mark_);
  row->addWidget(remove_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(row);
  layout->addWidget(table_, 1);
  connect(mark_, &QPushButton::clicked, this, [this] { mark(candidates_->currentText()); });
  connect(remove_, &QPushButton::clicked, this, [this] {
    int r = table_->currentRow();
    if (r >= 0) unmark(table_->item(r, kTarget)->text());
  });
  connect(table_, &QTableWidget::itemChanged, this, [this] { emit changed(); });
}

void SearchSpaceEditor::setModel(const ModelSpec& spec, const json& settings) {
  spec_ = spec;
  settings_ = settings;
  candidates_->clear();
  for (const auto& node : spec.nodes) {
    if (node.isInput()) continue;
    for (const char* key : kLayerKeys)
      if (node.config.is_object() && node.config.contains(key) &&
          (node.config[key].is_number() || node.config[key].is_string()))
        candidates_->addItem(QString::fromStdString("layers." + node.name + "." + key));
  }
  candidates_->addItem(QStringLiteral("optimizer.learning_rate"));
  candidates_->addItem(QStringLiteral("optimizer"));
  candidates_->addItem(QStringLiteral("optimizer.momentum"));
  candidates_->addItem(QStringLiteral("batch_size"));
  candidates_->addItem(QStringLiteral("epochs"));
}

QStringList SearchSpaceEditor::candidates() const {
  QStringList out;
  for (int i = 0; i < candidates_->count(); ++i) out << candidates_->itemText(i);
  return out;
}

QStringList SearchSpaceEditor::marked() const {
  QStringList out;
  for (int r = 0; r < table_->rowCount(); ++r) out << table_->item(r, kTarget)->text();
  return out;
}

json SearchSpaceEditor::proposal(const std::string& t, const json& current) {
  const std::string key = t.substr(t.rfind('.') + 1);
  std::string name = t.rfind("layers.", 0) == 0 ? t.substr(7) : t;
  std::replace(name.begin(), name.end(), '.', '_');
  json p = {{"name", name}, {"target", t}};
  if (key == "activation") {
    p["distribution"] = "choice";
    p["values"] = {"relu", "tanh", "selu", "sigmoid"};
  } else if (t == "optimizer") {
    p["distribution"] = "choice";
    p["values"] = {"SGD", "Adam", "RMSprop"};
  } else if (key == "learning_rate") {
    double v = current.is_number() && current.get<double>() > 0 ? current.get<double>() : 1e-3;
    p["distribution"] = "log_uniform";
    p["min"] = v / 10;
    p["max"] = v * 10;
  } else if (key == "rate" || key == "momentum" || key == "alpha") {
    p["distribution"] = "uniform";
    p["min"] = 0.0;
    p["max"] = key == "rate" ? 0.5 : 0.95;
  } else if (t == "batch_size") {
    p["distribution"] = "choice";
    p["values"] = {16, 32, 64, 128};
  } else if (t.rfind("loss_weights.", 0) == 0) {
    const double v = current.is_number() ? current.get<double>() : 1.0;
    p["distribution"] = "uniform";
    p["min"] = 0.0;
    p["max"] = std::max(1.0, 2 * v);
  } else if (current.is_boolean()) {
    p["distribution"] = "choice";
    p["values"] = {true, false};
  } else if (current.is_string()) {
    p["distribution"] = "choice";
    p["values"] = {current};
  } else if (current.is_number_float() &&
             current.get<double>() != std::floor(current.get<double>())) {
    const double v = current.get<double>();
    if (v > 0 && v <= 1) {
      p["distribution"] = "uniform";
      p["min"] = 0.0;
      p["max"] = std::min(1.0, 2 * v);
    } else {
      p["distribution"] = "log_uniform";
      p["min"] = std::abs(v) / 10;
      p["max"] = std::abs(v) * 10;
    }
  } else {  // units, filters, epochs, other whole numbers
    long long v = current.is_number() ? static_cast<long long>(current.get<double>()) : 10;
    p["distribution"] = "int";
    p["min"] = std::max(1LL, v / 4);
    p["max"] = std::max(2LL, v * 4);
    p["step"] = 1;
  }
  return p;
}

void SearchSpaceEditor::addRow(const json& p) {
  const QSignalBlocker block(table_);
  int r = table_->rowCount();
  table_->insertRow(r);
  auto set = [&](int c, const QString& s, bool editable = true) {
    auto* item = new QTableWidgetItem(s);
    if (!editable) item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    table_->setItem(r, c, item);
  };
  set(kName, text(p.value("name", json())));
  set(kTarget, text(p.value("target", json())), false);
  set(kDistribution, text(p.value("distribution", json())));
  set(kMin, text(p.value("min", json())));
  set(kMax, text(p.value("max", json())));
  set(kStep, text(p.value("step", json())));
  set(kValues, p.contains("values") ? QString::fromStdString(p["values"].dump()) : QString());
  set(kCondition, conditionText(p), false);
  json extra = p.is_object() ? p : json::object();
  for (const char* key : kColumnKeys) extra.erase(key);
  table_->item(r, kName)->setData(Qt::UserRole, QString::fromStdString(extra.dump()));
}

bool SearchSpaceEditor::mark(const QString& target) {
  if (!candidates().contains(target) || marked().contains(target)) return false;
  const std::string t = target.toStdString();
  json settings = settings_;
  addRow(proposal(t, currentValue(t, spec_.toKerasJson(), settings)));
  table_->resizeColumnsToContents();
  emit changed();
  return true;
}

void SearchSpaceEditor::unmark(const QString& target) {
  for (int r = 0; r < table_->rowCount(); ++r)
    if (table_->item(r, kTarget)->text() == target) {
      table_->removeRow(r);
      emit changed();
      return;
    }
}

json SearchSpaceEditor::spaceJson() const {
  json list = json::array();
  for (int r = 0; r < table_->rowCount(); ++r) {
    auto cell = [&](int c) { return table_->item(r, c) ? table_->item(r, c)->text() : QString(); };
    json p = {{"name", cell(kName).toStdString()},
              {"target", cell(kTarget).toStdString()},
              {"distribution", cell(kDistribution).toStdString()}};
    auto number = [&](int c, const char* key) {
      bool ok = false;
      double v = cell(c).toDouble(&ok);
      if (ok)
        p[key] = v == std::floor(v) && p["distribution"] == "int" ? json(static_cast<long long>(v))
                                                                  : json(v);
    };
    number(kMin, "min");
    number(kMax, "max");
    number(kStep, "step");
    if (!cell(kValues).isEmpty())
      p["values"] = json::parse(cell(kValues).toStdString(), nullptr, false);
    const json extra = json::parse(
        table_->item(r, kName)->data(Qt::UserRole).toString().toStdString(), nullptr, false);
    if (extra.is_object()) p.update(extra);
    list.push_back(p);
  }
  return {{"hyperparameters", list}};
}

void SearchSpaceEditor::setEntry(const json& p) {
  const QString target = QString::fromStdString(p.value("target", ""));
  json space = spaceJson();
  bool replaced = false;
  for (auto& item : space["hyperparameters"])
    if (item.value("target", "") == target.toStdString()) {
      item = p;
      replaced = true;
    }
  if (!replaced) space["hyperparameters"].push_back(p);
  setSpaceJson(space);
  table_->resizeColumnsToContents();
}

json SearchSpaceEditor::entry(const QString& target) const {
  const json space = spaceJson();
  for (const auto& item : space["hyperparameters"])
    if (item.is_object() && item.value("target", "") == target.toStdString()) return item;
  return nullptr;
}

void SearchSpaceEditor::setSpaceJson(const json& j) {
  table_->setRowCount(0);
  if (j.is_object() && j.contains("hyperparameters"))
    for (const auto& p : j["hyperparameters"]) addRow(p);
  emit changed();
}

SearchSpace SearchSpaceEditor::space() const {
  return SearchSpace::fromJson(spaceJson());
}

}  // namespace tessel::ui
