#include "ui/search/SearchMarks.h"

#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <algorithm>
#include <map>

#include "engine/core/Error.h"
#include "engine/search/SearchSpace.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/NodeInspector.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossMetricEditor.h"
#include "ui/training/OptimizerEditor.h"
#include "ui/training/ParamForm.h"

namespace tessel::ui {

using json = nlohmann::json;

namespace {

const QColor kTint(255, 236, 179);  // amber 100

QString numberText(const json& v) {
  if (v.is_null()) return {};
  if (v.is_number_integer()) return QString::number(v.get<long long>());
  if (v.is_number()) return QString::number(v.get<double>(), 'g', 6);
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

// "SGD, Adam" <-> ["SGD", "Adam"]: numbers and booleans are read as JSON, the rest as names.
QString listText(const json& values) {
  QStringList out;
  for (const auto& v : values) out << numberText(v);
  return out.join(", ");
}

json parseList(const QString& text) {
  const QString t = text.trimmed();
  if (t.startsWith('[')) {
    json j = json::parse(t.toStdString(), nullptr, false);
    if (j.is_array()) return j;
  }
  json out = json::array();
  for (const QString& part : t.split(',', Qt::SkipEmptyParts)) {
    const QString p = part.trimmed();
    if (p.isEmpty()) continue;
    json v = json::parse(p.toStdString(), nullptr, false);
    out.push_back(v.is_discarded() || v.is_object() || v.is_array() ? json(p.toStdString()) : v);
  }
  return out;
}

QLabel* formLabel(QWidget* field) {
  QWidget* host = field ? field->parentWidget() : nullptr;
  auto* form = host ? qobject_cast<QFormLayout*>(host->layout()) : nullptr;
  return form ? qobject_cast<QLabel*>(form->labelForField(field)) : nullptr;
}

}  // namespace

// ---- SearchParameterDialog ---------------------------------------------------------------------

SearchParameterDialog::SearchParameterDialog(const json& proposal, const json& conditionChoices,
                                             QWidget* parent)
    : QDialog(parent), base_(proposal), choices_(conditionChoices) {
  setWindowTitle(tr("Search %1").arg(QString::fromStdString(proposal.value("target", ""))));
  distribution_ = new QComboBox(this);
  distribution_->addItem(tr("choice"), "choice");
  distribution_->addItem(tr("int range"), "int");
  distribution_->addItem(tr("uniform"), "uniform");
  distribution_->addItem(tr("log-uniform (reciprocal)"), "log_uniform");
  min_ = new QLineEdit(this);
  max_ = new QLineEdit(this);
  step_ = new QLineEdit(this);
  values_ = new QLineEdit(this);
  min_->setObjectName("min");
  max_->setObjectName("max");
  step_->setObjectName("step");
  values_->setObjectName("values");
  values_->setPlaceholderText(tr("comma-separated, e.g. 32, 64, 128"));
  step_->setPlaceholderText(tr("optional (grid search)"));
  auto* form = new QFormLayout(this);
  auto* target =
      new QLabel(QString("<b>%1</b>")
                     .arg(QString::fromStdString(proposal.value("target", "")).toHtmlEscaped()),
                 this);
  form->addRow(tr("parameter"), target);
  form->addRow(tr("distribution"), distribution_);
  form->addRow(tr("min"), min_);
  form->addRow(tr("max"), max_);
  form->addRow(tr("step"), step_);
  form->addRow(tr("values"), values_);
  const std::string key =
      proposal.value("target", "").substr(proposal.value("target", "").rfind('.') + 1);
  if (choices_.is_array() && !choices_.empty()) {
    condition_ = new QCheckBox(tr("only when"), this);
    condParam_ = new QComboBox(this);
    condParam_->setObjectName("conditionParameter");
    condValues_ = new QLineEdit(this);
    condValues_->setObjectName("conditionValues");
    for (const auto& c : choices_) condParam_->addItem(QString::fromStdString(c.value("name", "")));
    auto valuesOf = [this](int i) {
      return i >= 0 && i < static_cast<int>(choices_.size())
                 ? choices_[i].value("values", json::array())
                 : json::array();
    };
    int index = 0;
    json when = json::array();
    const std::string target = proposal.value("target", "");
    if (proposal.contains("condition") && proposal["condition"].is_object()) {
      index = std::max(0, condParam_->findText(QString::fromStdString(
                              proposal["condition"].value("parameter", ""))));
      when = proposal["condition"].value("values", json::array());
      condition_->setChecked(true);
    } else {
      // An optimizer parameter: the optimizer's choice, SGD if offered (momentum, nesterov).
      for (size_t i = 0; i < choices_.size(); ++i)
        if (target.rfind("optimizer.", 0) == 0 && choices_[i].value("target", "") == "optimizer")
          index = static_cast<int>(i);
      for (const auto& v : valuesOf(index))
        if (v == "SGD") when.push_back(v);
      if (when.empty() && !valuesOf(index).empty()) when.push_back(valuesOf(index)[0]);
      condition_->setChecked(choices_[index].value("target", "") == "optimizer" &&
                             (key == "momentum" || key == "nesterov"));
    }
    condParam_->setCurrentIndex(index);
    condValues_->setText(listText(when));
    // Another parameter: its first value, unless the typed ones are among its values.
    connect(condParam_, &QComboBox::currentIndexChanged, this, [this, valuesOf](int i) {
      const json values = valuesOf(i);
      for (const auto& v : parseList(condValues_->text()))
        if (std::find(values.begin(), values.end(), v) == values.end()) {
          condValues_->setText(values.empty() ? QString() : listText(json::array({values[0]})));
          return;
        }
    });
    auto enable = [this](bool on) {
      condParam_->setEnabled(on);
      condValues_->setEnabled(on);
    };
    enable(condition_->isChecked());
    connect(condition_, &QCheckBox::toggled, this, enable);
    auto* row = new QHBoxLayout;
    row->addWidget(condParam_);
    row->addWidget(new QLabel(tr("is"), this));
    row->addWidget(condValues_, 1);
    form->addRow(condition_, row);
  }
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #c62828;");
  error_->setVisible(false);
  form->addRow(error_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  form->addRow(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, [this] {
    try {
      json list = json::array({entry()});
      if (list[0].contains("condition")) list[0].erase("condition");  // checked with the space
      SearchSpace::fromJson(list);
      accept();
    } catch (const std::exception& e) {
      showError(QString::fromUtf8(e.what()));
    }
  });
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

  const int i = distribution_->findData(
      QString::fromStdString(proposal.value("distribution", "choice") == "reciprocal"
                                 ? "log_uniform"
                                 : proposal.value("distribution", "choice")));
  distribution_->setCurrentIndex(std::max(0, i));
  min_->setText(numberText(proposal.value("min", json())));
  max_->setText(numberText(proposal.value("max", json())));
  step_->setText(numberText(proposal.value("step", json())));
  values_->setText(listText(proposal.value("values", json::array())));
  if (values_->text().isEmpty() && proposal.contains("min"))  // a choice starts from the range
    values_->setText(numberText(proposal["min"]) + ", " +
                     numberText(proposal.value("max", json())));
  connect(distribution_, &QComboBox::currentIndexChanged, this,
          &SearchParameterDialog::updateFields);
  updateFields();
}

void SearchParameterDialog::updateFields() {
  const bool choice = distribution_->currentData().toString() == "choice";
  for (QWidget* w :
       {static_cast<QWidget*>(min_), static_cast<QWidget*>(max_), static_cast<QWidget*>(step_)})
    w->setEnabled(!choice);
  values_->setEnabled(choice);
}

void SearchParameterDialog::showError(const QString& text) {
  error_->setText(text);
  error_->setVisible(!text.isEmpty());
}

json SearchParameterDialog::entry() const {
  json p = {{"name", base_.value("name", base_.value("target", ""))},
            {"target", base_.value("target", "")}};
  const std::string dist = distribution_->currentData().toString().toStdString();
  p["distribution"] = dist;
  auto number = [&](QLineEdit* edit, const char* key, bool required) {
    const QString t = edit->text().trimmed();
    if (t.isEmpty()) {
      if (required) throw Error(std::string(key) + " is missing");
      return;
    }
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok) throw Error(std::string(key) + ": '" + t.toStdString() + "' is not a number");
    p[key] = dist == "int" ? json(static_cast<long long>(std::llround(v))) : json(v);
  };
  if (dist == "choice") {
    p["values"] = parseList(values_->text());
  } else {
    number(min_, "min", true);
    number(max_, "max", true);
    number(step_, "step", false);
  }
  if (base_.contains("default")) p["default"] = base_["default"];
  if (condition_ && condition_->isChecked()) {
    const json values = parseList(condValues_->text());
    if (values.empty()) throw Error("the condition needs at least one value");
    p["condition"] = {{"parameter", condParam_->currentText().toStdString()}, {"values", values}};
  }
  return p;
}

// ---- SearchMarks -------------------------------------------------------------------------------

SearchMarks::SearchMarks(SearchSpaceEditor* space, QObject* parent)
    : QObject(parent), space_(space) {
  connect(space_, &SearchSpaceEditor::changed, this, &SearchMarks::refresh);
}

QString SearchMarks::describe(const json& e) {
  const std::string dist = e.value("distribution", "");
  QString text;
  if (dist == "choice") {
    text = QObject::tr("choice %1").arg(listText(e.value("values", json::array())));
  } else {
    const QString name = dist == "log_uniform" || dist == "reciprocal"
                             ? "log-uniform"
                             : QString::fromStdString(dist);
    text = QString("%1 %2..%3")
               .arg(name, numberText(e.value("min", json())), numberText(e.value("max", json())));
    const json step = e.value("step", json());
    if (step.is_number() && step.get<double>() > 0) text += " step " + numberText(step);
  }
  if (e.contains("condition") && e["condition"].is_object())
    text += QObject::tr(" (only when %1 is %2)")
                .arg(QString::fromStdString(e["condition"].value("parameter", "")),
                     listText(e["condition"].value("values", json::array())));
  return text;
}

QMenu* SearchMarks::lastMenu() const {
  return menu_;
}

void SearchMarks::sync() {
  if (syncing_ || !sync_) return;
  syncing_ = true;
  sync_();
  syncing_ = false;
}

void SearchMarks::attach(QWidget* field, QWidget* label, std::function<QString()> target) {
  if (!field) return;
  Binding& b = bindings_[field];
  const bool fresh = !b.field;
  b.field = field;
  b.target = std::move(target);
  if (fresh) {
    b.tip = field->toolTip();
    field->installEventFilter(this);
    connect(field, &QObject::destroyed, this, [this, field] {
      bindings_.remove(field);
      for (auto it = labels_.begin(); it != labels_.end();)
        it = it.value() == field ? labels_.erase(it) : std::next(it);
    });
  }
  if (label && b.label != label) {
    b.label = label;
    labels_[label] = field;
    label->installEventFilter(this);
    connect(label, &QObject::destroyed, this, [this, label] { labels_.remove(label); });
  }
  decorate(b, entryOf(field));
}

void SearchMarks::attachEditor(GraphEditorWidget* editor) {
  if (!editor) return;
  attachInspector(editor->inspector());
  attachDocument(editor->document());
}

void SearchMarks::attachDocument(GraphDocument* doc) {
  if (!doc || doc->property("tesselSearchMarks").toBool()) return;
  doc->setProperty("tesselSearchMarks", true);
  connect(doc, &GraphDocument::nodeRenamed, this,
          [this](NodeId, const QString& oldName, const QString& newName) {
            renameLayer(oldName, newName);
          });
}

void SearchMarks::renameLayer(const QString& oldName, const QString& newName) {
  sync();
  const std::string from = "layers." + oldName.toStdString() + ".";
  const std::string to = "layers." + newName.toStdString() + ".";
  json space = space_->spaceJson();
  std::map<std::string, std::string> renamed;  // parameter names
  bool changed = false;
  for (auto& item : space["hyperparameters"]) {
    const std::string target = item.value("target", "");
    if (target.rfind(from, 0) != 0) continue;
    const std::string key = target.substr(from.size());
    item["target"] = to + key;
    std::string name = item.value("name", "");
    std::string old = oldName.toStdString() + "." + key;
    std::replace(old.begin(), old.end(), '.', '_');
    if (name == old) {
      std::string fresh = newName.toStdString() + "." + key;
      std::replace(fresh.begin(), fresh.end(), '.', '_');
      renamed[name] = fresh;
      item["name"] = fresh;
    }
    changed = true;
  }
  if (!changed) return;
  for (auto& item : space["hyperparameters"])
    if (item.contains("condition") && item["condition"].is_object()) {
      auto it = renamed.find(item["condition"].value("parameter", ""));
      if (it != renamed.end()) item["condition"]["parameter"] = it->second;
    }
  space_->setSpaceJson(space);
}

void SearchMarks::attachInspector(NodeInspector* inspector) {
  if (!inspector || inspector->property("tesselSearchMarks").toBool()) return;
  inspector->setProperty("tesselSearchMarks", true);
  QPointer<NodeInspector> guard(inspector);
  auto offer = [this, guard] {
    if (!guard || !guard->nameEditor()) return;
    auto* form = qobject_cast<QFormLayout*>(guard->nameEditor()->parentWidget()->layout());
    if (!form) return;
    for (int r = 0; r < form->rowCount(); ++r) {
      auto* labelItem = form->itemAt(r, QFormLayout::LabelRole);
      auto* fieldItem = form->itemAt(r, QFormLayout::FieldRole);
      auto* label = labelItem ? qobject_cast<QLabel*>(labelItem->widget()) : nullptr;
      QWidget* field = fieldItem ? fieldItem->widget() : nullptr;
      if (!label || !field || field == guard->nameEditor()) continue;
      if (!qobject_cast<QAbstractSpinBox*>(field) && !qobject_cast<QComboBox*>(field) &&
          !qobject_cast<QCheckBox*>(field))
        continue;  // lists, shapes, initializers: not searchable from here
      const QString key = label->text();
      attach(field, label, [guard, key] {
        return guard && !guard->node().isEmpty() ? "layers." + guard->node() + "." + key
                                                 : QString();
      });
    }
  };
  connect(inspector, &NodeInspector::formRebuilt, this, offer);
  offer();
}

void SearchMarks::attachCompilePanel(CompilePanel* panel) {
  if (!panel || panel->property("tesselSearchMarks").toBool()) return;
  panel->setProperty("tesselSearchMarks", true);
  QPointer<CompilePanel> guard(panel);
  auto offer = [this, guard] {
    if (!guard) return;
    auto fixed = [](const QString& t) { return [t] { return t; }; };
    attach(guard->optimizerBox(), formLabel(guard->optimizerBox()), fixed("optimizer"));
    attach(guard->batchSizeBox(), formLabel(guard->batchSizeBox()), fixed("batch_size"));
    attach(guard->epochsBox(), formLabel(guard->epochsBox()), fixed("epochs"));
    ParamForm* params = guard->optimizerEditor()->paramForm();
    const json defaults = CompilePanel::optimizerDefaults(guard->optimizerBox()->currentText());
    if (params)
      for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        QWidget* field = params->field(it.key());
        if (qobject_cast<QAbstractSpinBox*>(field) || qobject_cast<QCheckBox*>(field))
          attach(field, formLabel(field), fixed(QString::fromStdString("optimizer." + it.key())));
      }
    const QStringList outputs = guard->outputNames();
    QTableWidget* table = guard->lossMetricEditor()->table();
    if (outputs.size() > 1)  // loss weights are shown for several outputs only
      for (int r = 0; r < table->rowCount() && r < outputs.size(); ++r)
        attach(table->cellWidget(r, 2), nullptr, fixed("loss_weights." + outputs[r]));
  };
  // Fields come and go with the optimizer and the outputs: offer them again after a change.
  connect(panel, &CompilePanel::changed, this,
          [this, offer, guard] { QTimer::singleShot(0, this, offer); });
  offer();
}

SearchMarks::Binding* SearchMarks::bindingOf(QObject* w) {
  auto* widget = qobject_cast<QWidget*>(w);
  if (auto l = labels_.find(w); l != labels_.end()) widget = l.value();
  auto it = bindings_.find(widget);
  return it == bindings_.end() || !it->field ? nullptr : &it.value();
}

QString SearchMarks::targetOf(QWidget* field) const {
  auto it = bindings_.find(field);
  return it == bindings_.end() || !it->target ? QString() : it->target();
}

json SearchMarks::entryOf(QWidget* field) const {
  const QString target = targetOf(field);
  return target.isEmpty() ? json() : space_->entry(target);
}

json SearchMarks::currentValueOf(QWidget* field) const {
  if (auto* s = qobject_cast<QSpinBox*>(field)) return s->value();
  if (auto* d = qobject_cast<QDoubleSpinBox*>(field)) return d->value();
  if (auto* c = qobject_cast<QComboBox*>(field)) return c->currentText().toStdString();
  if (auto* b = qobject_cast<QCheckBox*>(field)) return b->isChecked();
  return nullptr;
}

void SearchMarks::decorate(Binding& b, const json& entry) {
  if (!b.field) return;
  const bool marked = !entry.is_null();
  QPalette palette = b.field->parentWidget() ? b.field->parentWidget()->palette() : QPalette();
  if (marked) {
    palette.setColor(QPalette::Base, kTint);
    palette.setColor(QPalette::Button, kTint);
    b.field->setPalette(palette);
  } else {
    b.field->setPalette(palette);
    b.field->setAttribute(Qt::WA_SetPalette, false);  // inherit again
  }
  b.field->setProperty("tesselSearched", marked);
  const QString tip = marked ? tr("searched: %1").arg(describe(entry)) : QString();
  b.field->setToolTip(marked ? (b.tip.isEmpty() ? tip : tip + "\n\n" + b.tip) : b.tip);
  if (b.label) {
    if (auto* label = qobject_cast<QLabel*>(b.label.data())) {
      label->setStyleSheet(marked ? "font-weight: bold; color: #b26a00;" : QString());
      label->setToolTip(marked ? tip : b.tip);
    }
  }
}

void SearchMarks::refresh() {
  if (syncing_) return;
  for (auto it = bindings_.begin(); it != bindings_.end(); ++it)
    decorate(it.value(), entryOf(it.key()));
}

QMenu* SearchMarks::menuFor(QWidget* field) {
  sync();
  const QString target = targetOf(field);
  if (target.isEmpty()) return nullptr;
  const bool marked = !space_->entry(target).is_null();
  QMenu* menu = nullptr;
  if (auto* line = field->findChild<QLineEdit*>())  // keep the field's own cut/copy/paste
    menu = line->createStandardContextMenu();
  else if (auto* l = qobject_cast<QLineEdit*>(field))
    menu = l->createStandardContextMenu();
  else
    menu = new QMenu;
  if (!menu->isEmpty()) menu->addSeparator();
  QPointer<QWidget> f(field);
  QAction* search =
      menu->addAction(marked ? tr("Edit search of %1…").arg(target) : tr("Search this parameter…"));
  search->setObjectName("searchParameter");
  connect(search, &QAction::triggered, this, [this, f] {
    if (f) editSearch(f);
  });
  if (marked) {
    QAction* stop = menu->addAction(tr("Stop searching"));
    stop->setObjectName("stopSearching");
    connect(stop, &QAction::triggered, this, [this, f] {
      if (f) stopSearching(f);
    });
  }
  return menu;
}

SearchParameterDialog* SearchMarks::editSearch(QWidget* field) {
  sync();
  const QString target = targetOf(field);
  if (target.isEmpty()) return nullptr;
  json start = space_->entry(target);
  if (start.is_null())
    start = SearchSpaceEditor::proposal(target.toStdString(), currentValueOf(field));
  // The choice parameters it may be conditioned on (not itself, none that depends on it).
  json choices = json::array();
  const QStringList parents = space_->conditionParents(target);
  const json space = space_->spaceJson();
  for (const auto& p : space["hyperparameters"])
    if (parents.contains(QString::fromStdString(p.value("name", ""))))
      choices.push_back({{"name", p.value("name", "")},
                         {"target", p.value("target", "")},
                         {"values", p.value("values", json::array())}});
  if (dialog_) dialog_->deleteLater();
  dialog_ = new SearchParameterDialog(start, choices, field->window());
  dialog_->setAttribute(Qt::WA_DeleteOnClose);
  QPointer<SearchParameterDialog> d(dialog_);
  connect(dialog_, &QDialog::accepted, this, [this, d] {
    if (!d) return;
    sync();
    // (setEntry keeps a condition's parameter before the parameter it conditions.)
    space_->setEntry(d->entry());
  });
  dialog_->open();
  return dialog_;
}

void SearchMarks::stopSearching(QWidget* field) {
  sync();
  const QString target = targetOf(field);
  const json e = space_->entry(target);
  if (e.is_null()) return;
  // Parameters conditioned on this one become unconditional (their condition would name nothing).
  json space = space_->spaceJson();
  json kept = json::array();
  for (auto item : space["hyperparameters"]) {
    if (item.value("target", "") == target.toStdString()) continue;
    if (item.contains("condition") &&
        item["condition"].value("parameter", "") == e.value("name", ""))
      item.erase("condition");
    kept.push_back(item);
  }
  space_->setSpaceJson({{"hyperparameters", kept}});
}

bool SearchMarks::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::ContextMenu) return false;
  Binding* b = bindingOf(watched);
  if (!b || !b->field || b->target().isEmpty()) return false;
  QMenu* menu = menuFor(b->field);
  if (!menu) return false;
  if (menu_) menu_->deleteLater();
  menu_ = menu;
  menu->setAttribute(Qt::WA_DeleteOnClose);
  menu->popup(static_cast<QContextMenuEvent*>(event)->globalPos());
  return true;
}

}  // namespace tessel::ui
