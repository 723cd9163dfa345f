#include "ui/editor/NodeInspector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>
#include <climits>

#include "engine/catalog/InitializerCatalog.h"
#include "engine/catalog/RegularizerCatalog.h"
#include "engine/layers/Activations.h"
#include "ui/editor/CatalogObjectEditor.h"
#include "ui/editor/FloatSpinBox.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphFixes.h"
#include "ui/expr/LayerExpressionCheck.h"

namespace tessel::ui {

namespace {

QString jsonText(const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

// A line of text back to JSON: empty is null, JSON if it parses, else a plain string
// (so "he_normal" works for an initializer).
json parseLine(const QString& text) {
  const QString t = text.trimmed();
  if (t.isEmpty() || t == "null" || t == "None") return nullptr;
  try {
    return json::parse(t.toStdString());
  } catch (const json::exception&) {
    return t.toStdString();
  }
}

}  // namespace

NodeInspector::NodeInspector(GraphDocument* doc, QUndoStack* stack, QWidget* parent)
    : QWidget(parent), doc_(doc), stack_(stack) {
  header_ = new QLabel(this);
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setVisible(false);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  formHost_ = new QWidget;
  form_ = new QFormLayout(formHost_);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  scroll_->setWidget(formHost_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->addWidget(header_);
  layout->addWidget(message_);
  fixBox_ = new QWidget(this);
  fixBox_->setObjectName("inspectorFixes");
  auto* fixLayout = new QVBoxLayout(fixBox_);
  fixLayout->setContentsMargins(0, 0, 0, 0);
  fixBox_->setVisible(false);
  layout->addWidget(fixBox_);
  layout->addWidget(scroll_, 1);
  connect(doc_, &GraphDocument::validated, this, &NodeInspector::refreshFixes);

  connect(doc_, &GraphDocument::nodeChanged, this, [this](NodeId id) {
    if (id == node_) refreshValues();
  });
  connect(doc_, &GraphDocument::nodeRenamed, this, [this](NodeId id) {
    if (id == node_) refreshValues();
  });
  connect(doc_, &GraphDocument::nodeRemoved, this, [this](NodeId id) {
    if (id == node_) setNode(kInvalidNodeId);
  });
  connect(doc_, &GraphDocument::modelReset, this, [this] { setNode(kInvalidNodeId); });
  rebuild();
}

QWidget* NodeInspector::editorFor(const std::string& key) const {
  auto it = editors_.find(key);
  return it == editors_.end() ? nullptr : it->second;
}

QString NodeInspector::message() const {
  return message_->isVisible() ? message_->text() : QString();
}

QString NodeInspector::node() const {
  return doc_->nameOf(node_);
}

void NodeInspector::setNode(const QString& name) {
  setNode(name.isEmpty() ? kInvalidNodeId : doc_->idOf(name));
}

void NodeInspector::setNode(NodeId id) {
  if (id == node_ && (id == kInvalidNodeId || !editors_.empty())) return;
  node_ = id;
  showMessage({}, false);
  rebuild();
  refreshFixes();
}

void NodeInspector::refreshFixes() {
  const QList<GraphFix> fixes =
      node_ == kInvalidNodeId ? QList<GraphFix>() : GraphFixes::suggest(*doc_, node_);
  QStringList labels;
  for (const GraphFix& f : fixes) labels << f.label;
  QStringList shown;
  for (QPushButton* b : fixButtons_) shown << b->text();
  if (labels == shown) return;
  // deleteLater: this may run inside a fix button's clicked() signal.
  for (QWidget* old : fixBox_->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
    old->hide();
    fixBox_->layout()->removeWidget(old);
    old->deleteLater();
  }
  fixButtons_.clear();
  for (const GraphFix& f : fixes) {
    auto* why = new QLabel(f.why, fixBox_);
    why->setWordWrap(true);
    why->setStyleSheet("color: #b26a00;");
    auto* button = new QPushButton(QIcon::fromTheme("tools-check-spelling"), f.label, fixBox_);
    button->setToolTip(tr("Suggested fix (one undo step)"));
    fixBox_->layout()->addWidget(why);
    fixBox_->layout()->addWidget(button);
    fixButtons_ << button;
    connect(button, &QPushButton::clicked, this, [this, f] {
      const QString why = GraphFixes::apply(doc_, stack_, f);
      if (!why.isEmpty()) showMessage(why, true);
    });
  }
  fixBox_->setVisible(!fixButtons_.isEmpty());
}

void NodeInspector::showMessage(const QString& text, bool error) {
  message_->setText(text);
  message_->setStyleSheet(error ? "color: #c62828;" : "color: #455a64;");
  message_->setVisible(!text.isEmpty());
}

json NodeInspector::currentValue(const std::string& key) const {
  const NodeSpec* n = doc_->node(node_);
  if (!n) return nullptr;
  json full = n->config;
  try {
    full = LayerRegistry::instance().completeConfig(n->className, n->config, n->name);
  } catch (const Error&) {
  }
  return full.contains(key) ? full[key] : json();
}

void NodeInspector::rebuild() {
  // Old editors go away later: this can run from one of their own signals.
  QWidget* oldHost = scroll_->takeWidget();
  editors_.clear();
  setters_.clear();
  nameEdit_ = nullptr;
  formHost_ = new QWidget;
  form_ = new QFormLayout(formHost_);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  scroll_->setWidget(formHost_);
  if (oldHost) {
    oldHost->hide();
    oldHost->deleteLater();
  }

  const NodeSpec* n = doc_->node(node_);
  if (!n) {
    header_->setText(tr("<i>Select a layer to edit its settings.</i>"));
    return;
  }
  const LayerInfo* info = LayerRegistry::instance().find(n->className);
  header_->setText(QString("<b>%1</b><br><span style='color:#607080'>%2</span>")
                       .arg(QString::fromStdString(n->className).toHtmlEscaped(),
                            info ? QString::fromStdString(info->doc).toHtmlEscaped()
                                 : tr("Unknown layer type")));
  nameEdit_ = new QLineEdit(formHost_);
  nameEdit_->setToolTip(tr("Unique layer name (as in model.summary())."));
  form_->addRow(tr("name"), nameEdit_);
  connect(nameEdit_, &QLineEdit::editingFinished, this, &NodeInspector::commitName);
  if (info)
    for (const ParamSpec& p : info->params) {
      QWidget* editor = makeEditor(p);
      if (!editor) continue;
      editor->setToolTip(QString::fromStdString(p.doc));
      auto* label = new QLabel(QString::fromStdString(p.key), formHost_);
      label->setToolTip(QString::fromStdString(p.doc));
      form_->addRow(label, editor);
      editors_[p.key] = editor;
    }
  refreshValues();
  emit formRebuilt();
}

QWidget* NodeInspector::makeEditor(const ParamSpec& p) {
  const std::string key = p.key;
  const bool nullable = p.nullable || (p.defaultValue.is_null() && !p.required);
  if (const NodeSpec* n = doc_->node(node_); n && isLayerExpressionKey(n->className, key)) {
    // Lambda / CustomLayer expressions: checked as typed, committed when good (ui/expr).
    auto* field = new ExpressionField(formHost_);
    field->setChecker(layerExpressionChecker(doc_, node_, key));
    connect(field, &ExpressionField::committed, this,
            [this, key](const QString& t) { commit(key, json(t.toStdString())); });
    connect(doc_, &GraphDocument::validated, field, &ExpressionField::recheck);
    connect(field, &ExpressionField::checked, this, [this, field, key](bool ok) {
      const NodeSpec* n = doc_->node(node_);
      if (!n) return;
      const bool draft = n->config.value(key, json()) != json(field->text().toStdString());
      emit outputShapePreview(node_, ok && draft ? field->shapeText() : QString());
    });
    setters_[key] = [field](const json& v) { field->setText(jsonText(v)); };
    return field;
  }
  switch (p.type) {
    case ParamType::Int:
      if (!nullable) {
        auto* spin = new QSpinBox(formHost_);
        spin->setRange(static_cast<int>(std::max<double>(p.min, INT_MIN)),
                       static_cast<int>(std::min<double>(p.max, INT_MAX)));
        spin->setKeyboardTracking(false);
        connect(spin, &QSpinBox::valueChanged, this, [this, key](int v) { commit(key, json(v)); });
        setters_[key] = [spin](const json& v) {
          if (v.is_number()) spin->setValue(v.get<int>());
        };
        return spin;
      }
      break;
    case ParamType::Float:
      if (!nullable) {
        auto* spin = new FloatSpinBox(formHost_);
        spin->setDecimals(10);
        spin->setRange(std::max(p.min, -1e12), std::min(p.max, 1e12));
        spin->setSingleStep(p.max <= 1.0 ? 0.05 : 0.1);
        spin->setKeyboardTracking(false);
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this, key](double v) { commit(key, json(v)); });
        setters_[key] = [spin](const json& v) {
          if (v.is_number()) spin->setValue(v.get<double>());
        };
        return spin;
      }
      break;
    case ParamType::Bool: {
      auto* box = new QCheckBox(formHost_);
      connect(box, &QCheckBox::toggled, this, [this, key](bool v) { commit(key, json(v)); });
      setters_[key] = [box](const json& v) { box->setChecked(v.is_boolean() && v.get<bool>()); };
      return box;
    }
    case ParamType::Choice:
    case ParamType::Activation: {
      auto* combo = new QComboBox(formHost_);
      QStringList items;
      if (nullable) items << QString();
      if (p.type == ParamType::Activation)
        for (const auto& a : activationNames()) items << QString::fromStdString(a);
      else
        for (const auto& c : p.choices) items << QString::fromStdString(c);
      combo->addItems(items);
      connect(combo, &QComboBox::activated, this, [this, key, combo](int) {
        const QString t = combo->currentText();
        commit(key, t.isEmpty() ? json() : json(t.toStdString()));
      });
      setters_[key] = [combo](const json& v) {
        const QString t = v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString();
        int i = combo->findText(t);
        if (i < 0) {
          combo->addItem(t);  // a value from an imported model the list does not name
          i = combo->count() - 1;
        }
        combo->setCurrentIndex(i);
      };
      return combo;
    }
    case ParamType::Initializer:
    case ParamType::Regularizer:
    case ParamType::Constraint: {
      // A class from the engine's catalog and its config fields. The engine implements no
      // weight constraint: None is the only choice.
      std::vector<const CatalogEntry*> entries;
      if (p.type == ParamType::Initializer)
        for (const auto& e : initializerCatalog().all()) entries.push_back(&e);
      if (p.type == ParamType::Regularizer)
        for (const auto& e : regularizerCatalog().all()) entries.push_back(&e);
      auto* editor =
          new CatalogObjectEditor(entries, nullable || p.type != ParamType::Initializer, formHost_);
      if (p.type == ParamType::Constraint)
        editor->setToolTip(tr("Weight constraints are not implemented: None"));
      connect(editor, &CatalogObjectEditor::edited, this,
              [this, key](const json& v) { commit(key, v); });
      setters_[key] = [editor](const json& v) { editor->setValue(v); };
      return editor;
    }
    default:
      break;
  }
  // Everything else (lists, shapes, initializers, nullable numbers, free text): one line.
  auto* line = new QLineEdit(formHost_);
  if (nullable) line->setPlaceholderText("None");
  const bool plainString = p.type == ParamType::String;
  connect(line, &QLineEdit::editingFinished, this, [this, key, line, plainString] {
    const json v = plainString ? json(line->text().toStdString()) : parseLine(line->text());
    if (v == currentValue(key)) return;
    commit(key, v);
  });
  setters_[key] = [line](const json& v) {
    line->setText(jsonText(v));
    line->setCursorPosition(0);  // show the start of long JSON values
  };
  return line;
}

void NodeInspector::commit(const std::string& key, const json& value) {
  if (!doc_->hasNode(node_)) return;
  if (value == currentValue(key)) return;
  const QString why = GraphCommand::push(stack_, new SetConfigCommand(doc_, node_, key, value));
  showMessage(why, !why.isEmpty());
  if (!why.isEmpty()) refreshValues();  // back to the document's value
}

void NodeInspector::commitName() {
  if (!nameEdit_ || !doc_->hasNode(node_) || nameEdit_->text() == node()) return;
  const QString why = GraphCommand::push(stack_, new RenameCommand(doc_, node_, nameEdit_->text()));
  showMessage(why, !why.isEmpty());
  if (!why.isEmpty()) nameEdit_->setText(node());
}

void NodeInspector::refreshValues() {
  if (!doc_->hasNode(node_)) return;
  if (nameEdit_) {
    QSignalBlocker block(nameEdit_);
    if (!nameEdit_->hasFocus() || nameEdit_->text() != node()) nameEdit_->setText(node());
  }
  for (auto& [key, setter] : setters_) {
    QWidget* editor = editorFor(key);
    QSignalBlocker block(editor);
    setter(currentValue(key));
  }
}

}  // namespace tessel::ui
