#include "ui/search/SearchSpaceEditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <set>

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

constexpr int kNameRole = Qt::UserRole + 1;  // the name a row had (renames follow it)

std::string conditionParameter(const json& p) {
  if (!p.is_object() || !p.contains("condition") || !p["condition"].is_object()) return {};
  return p["condition"].value("parameter", "");
}

// The items in an order where every condition names an earlier item, otherwise as given (a
// stable topological order; items in a cycle or naming nothing keep their place at the end).
json orderedByConditions(json list) {
  std::set<std::string> names, placed;
  for (const auto& p : list) names.insert(p.value("name", ""));
  json out = json::array();
  while (!list.empty()) {
    bool moved = false;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string parent = conditionParameter(list[i]);
      if (parent.empty() || placed.count(parent) || !names.count(parent)) {
        placed.insert(list[i].value("name", ""));
        out.push_back(list[i]);
        list.erase(list.begin() + static_cast<long>(i));
        moved = true;
        break;
      }
    }
    if (!moved) {
      for (auto& p : list) out.push_back(p);
      break;
    }
  }
  return out;
}

// `name` and every item whose condition chain leads to it.
std::set<std::string> dependentsOf(const json& list, const std::string& name) {
  std::set<std::string> d = {name};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& p : list)
      if (d.count(conditionParameter(p)) && d.insert(p.value("name", "")).second) grew = true;
  }
  return d;
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
      table_(new QTableWidget(0, kColumns, this)),
      condParent_(new QComboBox(this)),
      condValues_(new QListWidget(this)),
      condSet_(new QPushButton(tr("Set condition"), this)),
      condClear_(new QPushButton(tr("Clear"), this)),
      condLabel_(new QLabel(tr("Only when"), this)) {
  table_->setHorizontalHeaderLabels({tr("name"), tr("target"), tr("distribution"), tr("min"),
                                     tr("max"), tr("step"), tr("values"), tr("only when")});
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* row = new QHBoxLayout;
  row->addWidget(candidates_, 1);
  row->addWidget(mark_);
  row->addWidget(remove_);
  // The selected row's condition: "Only when [choice parameter] is [values] Set condition Clear".
  condParent_->setObjectName("conditionParameter");
  condValues_->setObjectName("conditionValues");
  condSet_->setObjectName("setCondition");
  condClear_->setObjectName("clearCondition");
  condLabel_->setObjectName("conditionLabel");
  condParent_->setToolTip(
      tr("The selected parameter is searched only while this choice parameter has one of the "
         "checked values (KerasTuner's conditional_scope)"));
  condValues_->setFlow(QListView::LeftToRight);
  condValues_->setWrapping(false);
  condValues_->setFixedHeight(condValues_->fontMetrics().height() + 14);
  condValues_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  condValues_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* cond = new QHBoxLayout;
  cond->addWidget(condLabel_);
  cond->addWidget(condParent_);
  cond->addWidget(new QLabel(tr("is"), this));
  cond->addWidget(condValues_, 1);
  cond->addWidget(condSet_);
  cond->addWidget(condClear_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(row);
  layout->addWidget(table_, 1);
  layout->addLayout(cond);
  connect(mark_, &QPushButton::clicked, this, [this] { mark(candidates_->currentText()); });
  connect(remove_, &QPushButton::clicked, this, [this] {
    int r = table_->currentRow();
    if (r >= 0) unmark(table_->item(r, kTarget)->text());
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() == kName) renameParameter(item->row());
    if (item->column() == kName || item->column() == kDistribution || item->column() == kValues)
      updateConditionBar();
    emit changed();
  });
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row, int, int previous) {
    if (row != previous) updateConditionBar();
  });
  connect(condParent_, &QComboBox::currentIndexChanged, this,
          &SearchSpaceEditor::fillConditionValues);
  connect(condValues_, &QListWidget::itemChanged, this, [this] {
    bool any = false;
    for (int i = 0; i < condValues_->count(); ++i)
      any |= condValues_->item(i)->checkState() == Qt::Checked;
    condSet_->setEnabled(any);
  });
  connect(condSet_, &QPushButton::clicked, this, [this] {
    json values = json::array();
    for (int i = 0; i < condValues_->count(); ++i)
      if (condValues_->item(i)->checkState() == Qt::Checked)
        values.push_back(json::parse(
            condValues_->item(i)->data(Qt::UserRole).toString().toStdString(), nullptr, false));
    setCondition(currentTarget(), condParent_->currentData().toString(), values);
  });
  connect(condClear_, &QPushButton::clicked, this, [this] { clearCondition(currentTarget()); });
  updateConditionBar();
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
  table_->item(r, kName)->setData(kNameRole, table_->item(r, kName)->text());
  table_->item(r, kCondition)
      ->setToolTip(tr("Select the row and set its condition below (\"Only when … is …\")"));
}

QString SearchSpaceEditor::currentTarget() const {
  const int r = table_->currentRow();
  return r >= 0 && table_->item(r, kTarget) ? table_->item(r, kTarget)->text() : QString();
}

void SearchSpaceEditor::selectTarget(const QString& target) {
  for (int r = 0; r < table_->rowCount(); ++r)
    if (table_->item(r, kTarget)->text() == target) {
      table_->setCurrentCell(r, kName);
      break;
    }
  updateConditionBar();
}

void SearchSpaceEditor::renameParameter(int row) {
  QTableWidgetItem* item = table_->item(row, kName);
  if (!item) return;
  const QString before = item->data(kNameRole).toString(), after = item->text();
  if (before.isEmpty() || before == after) return;
  const QSignalBlocker block(table_);
  item->setData(kNameRole, after);
  for (int r = 0; r < table_->rowCount(); ++r) {
    QTableWidgetItem* name = table_->item(r, kName);
    json extra = json::parse(name->data(Qt::UserRole).toString().toStdString(), nullptr, false);
    if (conditionParameter(extra) != before.toStdString()) continue;
    extra["condition"]["parameter"] = after.toStdString();
    name->setData(Qt::UserRole, QString::fromStdString(extra.dump()));
    table_->item(r, kCondition)->setText(conditionText(extra));
  }
}

QStringList SearchSpaceEditor::conditionParents(const QString& target) const {
  const json list = spaceJson()["hyperparameters"];
  std::string self;
  for (const auto& p : list)
    if (p.value("target", "") == target.toStdString()) self = p.value("name", "");
  QStringList out;
  // Not marked yet: nothing depends on it.
  const std::set<std::string> excluded =
      self.empty() ? std::set<std::string>() : dependentsOf(list, self);
  for (const auto& p : list)
    if (p.value("distribution", "") == "choice" && p.contains("values") && p["values"].is_array() &&
        !p["values"].empty() && !excluded.count(p.value("name", "")))
      out << QString::fromStdString(p.value("name", ""));
  return out;
}

void SearchSpaceEditor::updateConditionBar() {
  const QString target = currentTarget();
  const json current = target.isEmpty() ? json() : entry(target);
  const QString parent = QString::fromStdString(conditionParameter(current));
  {
    const QSignalBlocker block(condParent_);
    condParent_->clear();
    condParent_->addItem(tr("(always)"), QString());
    if (!target.isEmpty())
      for (const QString& name : conditionParents(target)) condParent_->addItem(name, name);
    condParent_->setCurrentIndex(std::max(0, condParent_->findData(parent)));
  }
  condParent_->setEnabled(!target.isEmpty() && condParent_->count() > 1);
  condClear_->setEnabled(!parent.isEmpty());
  condLabel_->setText(
      target.isEmpty()
          ? tr("Only when")
          : tr("%1 only when").arg(QString::fromStdString(current.value("name", std::string()))));
  fillConditionValues();
}

void SearchSpaceEditor::fillConditionValues() {
  const QSignalBlocker block(condValues_);
  condValues_->clear();
  const QString parent = condParent_->currentData().toString();
  const json current = entry(currentTarget());
  json checked = json::array();
  if (!parent.isEmpty() && conditionParameter(current) == parent.toStdString())
    checked = current["condition"].value("values", json::array());
  bool any = false;
  const json space = spaceJson();
  for (const auto& p : space["hyperparameters"]) {
    if (parent.isEmpty() || p.value("name", "") != parent.toStdString()) continue;
    for (const auto& v : p.value("values", json::array())) {
      auto* item = new QListWidgetItem(text(v), condValues_);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
      const bool on = std::find(checked.begin(), checked.end(), v) != checked.end();
      item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
      item->setData(Qt::UserRole, QString::fromStdString(v.dump()));
      any |= on;
    }
  }
  condValues_->setEnabled(!parent.isEmpty());
  condSet_->setEnabled(any);
}

bool SearchSpaceEditor::setCondition(const QString& target, const QString& parameter,
                                     const json& values) {
  if (!marked().contains(target) || !conditionParents(target).contains(parameter) ||
      !values.is_array() || values.empty())
    return false;
  json list = spaceJson()["hyperparameters"];
  for (const auto& p : list)
    if (p.value("name", "") == parameter.toStdString()) {
      const json& allowed = p["values"];
      for (const auto& v : values)
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return false;
    }
  for (auto& p : list)
    if (p.value("target", "") == target.toStdString())
      p["condition"] = {{"parameter", parameter.toStdString()}, {"values", values}};
  setSpaceJson({{"hyperparameters", orderedByConditions(list)}});
  table_->resizeColumnsToContents();
  selectTarget(target);
  return true;
}

void SearchSpaceEditor::clearCondition(const QString& target) {
  json list = spaceJson()["hyperparameters"];
  bool had = false;
  for (auto& p : list)
    if (p.value("target", "") == target.toStdString() && p.contains("condition")) {
      p.erase("condition");
      had = true;
    }
  if (!had) return;
  setSpaceJson({{"hyperparameters", list}});
  selectTarget(target);
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
  if (!marked().contains(target)) return;
  // Conditions naming the unmarked parameter are cleared (they would name nothing).
  json kept = json::array();
  std::string name;
  const json space = spaceJson();
  for (const auto& p : space["hyperparameters"])
    if (p.value("target", "") == target.toStdString())
      name = p.value("name", "");
    else
      kept.push_back(p);
  for (auto& p : kept)
    if (!name.empty() && conditionParameter(p) == name) p.erase("condition");
  setSpaceJson({{"hyperparameters", kept}});
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
  setSpaceJson({{"hyperparameters", orderedByConditions(space["hyperparameters"])}});
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
  updateConditionBar();
  emit changed();
}

SearchSpace SearchSpaceEditor::space() const {
  return SearchSpace::fromJson(spaceJson());
}

}  // namespace tessel::ui
