#pragma once
// The inspector: a form generated from the selected layer's ParamSpecs (spin boxes for numbers,
// a check box for booleans, combo boxes for choices and activations, a class combo with config
// fields for initializers, regularizers and constraints (CatalogObjectEditor, from the engine's
// catalogs), a JSON line for lists and the rest; the Keras doc line as tooltip). Every edit goes
// through a SetConfig (or Rename) undo command; a value the registry refuses is shown in red and
// the field returns to the document's value. It follows its node by id, so a rename (here or undone
// with Ctrl+Z) keeps the form on the same layer.
#include <QHash>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <functional>
#include <map>
#include <string>

#include "engine/layers/LayerRegistry.h"
#include "ui/editor/NodeId.h"

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QUndoStack;

namespace tessel::ui {

class GraphDocument;

class NodeInspector : public QWidget {
  Q_OBJECT

 public:
  NodeInspector(GraphDocument* doc, QUndoStack* stack, QWidget* parent = nullptr);

  NodeId nodeId() const { return node_; }
  QString node() const;  // the node's current layer name (empty: none)
  QWidget* editorFor(const std::string& key) const;
  QLineEdit* nameEditor() const { return nameEdit_; }
  QString message() const;
  // One button per suggested fix of the node (see GraphFixes); clicking applies it.
  QList<QPushButton*> fixButtons() const { return fixButtons_; }

 public slots:
  void setNode(tessel::ui::NodeId id);  // kInvalidNodeId: nothing selected
  void setNode(const QString& name);    // by layer name; empty: nothing selected
  void refreshValues();

 signals:
  // The form was built again (another node, or the same one after a type change): its field
  // widgets are new (SearchMarks offers them again).
  void formRebuilt();
  // A Lambda expression / CustomLayer call being typed checks good: the output shape it would
  // give (edges show it before the commit); empty when the text is committed, bad, or unchanged.
  void outputShapePreview(tessel::ui::NodeId node, const QString& shape);

 private:
  void rebuild();
  void refreshFixes();
  QWidget* makeEditor(const ParamSpec& spec);
  void commit(const std::string& key, const json& value);
  void commitName();
  void showMessage(const QString& text, bool error);
  json currentValue(const std::string& key) const;

  GraphDocument* doc_;
  QUndoStack* stack_;
  NodeId node_ = kInvalidNodeId;
  QLabel* header_;
  QLabel* message_;
  QScrollArea* scroll_;
  QWidget* fixBox_ = nullptr;
  QList<QPushButton*> fixButtons_;
  QWidget* formHost_ = nullptr;
  QFormLayout* form_ = nullptr;
  QLineEdit* nameEdit_ = nullptr;
  std::map<std::string, QWidget*> editors_;
  std::map<std::string, std::function<void(const json&)>> setters_;  // document -> editor
};

}  // namespace tessel::ui
