#pragma once
// "Search this parameter…" where a parameter is edited: a right-click on a layer parameter in the
// editor's inspector (NodeInspector) or on a compile-panel field (optimizer, its learning rate and
// other parameters, batch size, epochs, the loss weight of each output) offers it; the action opens
// a SearchParameterDialog (distribution choice / int range with step / uniform / log-uniform,
// prefilled from the field's current value by SearchSpaceEditor::proposal) and writes the entry
// into the model's search space through the Search tab's SearchSpaceEditor (setEntry: one space,
// one JSON form, saved with the model). Marked fields are tinted, their label is bold and their
// tool tip reads "searched: log-uniform 0.0001..0.01"; "Stop searching" removes the entry.
// Targets: "layers.<layer>.<key>", "optimizer", "optimizer.<key>", "loss_weights.<output>",
// "batch_size", "epochs" (SearchSpace.h). Any parameter may be made conditional on a choice
// parameter of the space ("only when optimizer is SGD", "only when dense_activation is relu",
// KerasTuner's conditional_scope): the dialog offers the choice parameters that do not depend on
// it; for momentum and nesterov with the optimizer searched, "only when optimizer is SGD" is
// proposed, checked.
// Renaming a layer in the editor renames its targets in the space.
#include <QDialog>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <functional>
#include <nlohmann/json.hpp>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QMenu;

namespace tessel::ui {

class CompilePanel;
class GraphDocument;
class GraphEditorWidget;
class NodeInspector;
class SearchSpaceEditor;

// One parameter's distribution. entry() is the space JSON item.
class SearchParameterDialog : public QDialog {
  Q_OBJECT
 public:
  // `proposal`: the item to start from (name, target, distribution, min/max/step or values);
  // `conditionChoices`: the choice parameters it may be conditioned on, in space order, as
  // [{"name", "target", "values"}]; empty: no condition is offered.
  SearchParameterDialog(const nlohmann::json& proposal, const nlohmann::json& conditionChoices,
                        QWidget* parent = nullptr);
  // The item as entered; throws tessel::Error for unreadable numbers.
  nlohmann::json entry() const;
  void showError(const QString& text);

  QComboBox* distributionBox() const { return distribution_; }
  QLineEdit* minEdit() const { return min_; }
  QLineEdit* maxEdit() const { return max_; }
  QLineEdit* stepEdit() const { return step_; }
  QLineEdit* valuesEdit() const { return values_; }
  QCheckBox* conditionBox() const { return condition_; }           // nullptr when not offered
  QComboBox* conditionParameterBox() const { return condParam_; }  // the choice parameter
  QLineEdit* conditionValues() const { return condValues_; }       // "SGD"
  QDialogButtonBox* buttons() const { return buttons_; }

 private:
  void updateFields();
  nlohmann::json base_;
  QComboBox* distribution_;
  QLineEdit *min_, *max_, *step_, *values_;
  QCheckBox* condition_ = nullptr;
  QComboBox* condParam_ = nullptr;
  QLineEdit* condValues_ = nullptr;
  nlohmann::json choices_;
  QLabel* error_;
  QDialogButtonBox* buttons_;
};

class SearchMarks : public QObject {
  Q_OBJECT
 public:
  SearchMarks(SearchSpaceEditor* space, QObject* parent = nullptr);

  // Called before the space is read or changed (the Search page loads the current model's saved
  // space into the editor there).
  void setSyncHandler(std::function<void()> sync) { sync_ = std::move(sync); }

  // The editor's inspector (attachInspector) and document (attachDocument).
  void attachEditor(GraphEditorWidget* editor);
  // Offers every parameter row of the inspector's form (again after each rebuild).
  void attachInspector(NodeInspector* inspector);
  // A layer renamed in `doc` (or the rename undone): its "layers.<old>.<key>" targets follow,
  // and names still of the form "<old>_<key>" with them.
  void attachDocument(GraphDocument* doc);
  void renameLayer(const QString& oldName, const QString& newName);
  // Offers the compile panel's fields (again when its optimizer or outputs change).
  void attachCompilePanel(CompilePanel* panel);
  // `field` (and `label`, if any) offer the parameter `target()` names.
  void attach(QWidget* field, QWidget* label, std::function<QString()> target);

  // The target a widget offers ("" when none), and its entry in the space (null: not marked).
  QString targetOf(QWidget* field) const;
  nlohmann::json entryOf(QWidget* field) const;
  // The context menu a right-click on `field` shows (the caller owns it).
  QMenu* menuFor(QWidget* field);
  // Opens the dialog for `field` (non-blocking; OK writes the entry). Returns it.
  SearchParameterDialog* editSearch(QWidget* field);
  void stopSearching(QWidget* field);
  SearchParameterDialog* dialog() const { return dialog_; }
  QMenu* lastMenu() const;

  // "log-uniform 0.0001..0.01", "int 8..64 step 8", "choice SGD, Adam", "uniform 0..0.5",
  // with " (only when optimizer is SGD)" for a condition.
  static QString describe(const nlohmann::json& entry);

 public slots:
  // Tints / untints every attached field after the space changed.
  void refresh();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Binding {
    QPointer<QWidget> field, label;
    std::function<QString()> target;
    QString tip;  // the field's own tool tip
  };
  Binding* bindingOf(QObject* w);
  nlohmann::json currentValueOf(QWidget* field) const;
  void decorate(Binding& b, const nlohmann::json& entry);
  void sync();

  SearchSpaceEditor* space_;
  std::function<void()> sync_;
  QHash<QWidget*, Binding> bindings_;  // by field
  QHash<QObject*, QWidget*> labels_;   // label -> field
  QPointer<SearchParameterDialog> dialog_;
  QPointer<QMenu> menu_;
  bool syncing_ = false;
};

}  // namespace tessel::ui
