#pragma once
// Marking parameters as "search": the model's layer parameters (units, filters, rate,
// activation, ...), the optimizer, its learning rate and momentum, batch size and epochs are
// offered in a list; "Mark as search" adds the chosen one to the space with a distribution
// proposed from its current value (units v: int [v/4, 4v]; learning rate v: log-uniform
// [v/10, 10v]; rates: uniform [0, 0.5]; activation: a choice), which the table lets the user
// edit (distribution, min, max, step, choice values as a JSON list). Conditions (KerasTuner's
// conditional_scope): below the table, "Only when [parameter] is [values] Set / Clear" makes the
// selected row active only while any choice parameter of the space has one of the checked values
// (momentum only when optimizer is SGD, units of a layer only when its activation is relu, ...);
// rows are kept in an order where every condition names an earlier parameter (as SearchSpace
// requires), a parameter cannot be conditioned on itself or on one that depends on it, and
// unmarking or renaming a parameter clears or renames the conditions naming it. space() is the
// SearchSpace
// the search runs on (engine/search/SearchSpace.h), its JSON is what the project saves with the
// model ("search_space" in the compile settings).
#include <QWidget>
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"
#include "engine/search/SearchSpace.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace tessel::ui {

class SearchSpaceEditor : public QWidget {
  Q_OBJECT
 public:
  explicit SearchSpaceEditor(QWidget* parent = nullptr);

  // The model and its settings ({"compile", "fit", ...}) whose parameters are offered.
  void setModel(const ModelSpec& spec, const nlohmann::json& settings);
  // Marks `target` (one of candidates()) with the proposed distribution; false if unknown or
  // already marked.
  bool mark(const QString& target);
  void unmark(const QString& target);
  QStringList candidates() const;
  QStringList marked() const;
  // Adds `entry` (one "hyperparameters" item of the space JSON) or replaces the row with the same
  // target: what "Search this parameter…" in the inspector and the compile panel writes
  // (SearchMarks). Keys without a column ("condition", "default") are kept with the row.
  void setEntry(const nlohmann::json& entry);
  // The row of `target` as a space JSON item; null when not marked.
  nlohmann::json entry(const QString& target) const;
  // The distribution proposed for `target` from its current value (see the top of this file;
  // other numbers: a float in (0, 1] uniform [0, min(1, 2v)], else log-uniform [v/10, 10v]; a
  // string or a boolean: a choice).
  static nlohmann::json proposal(const std::string& target, const nlohmann::json& current);
  // The space as edited; throws tessel::Error for a bad row (the space's own messages).
  SearchSpace space() const;
  nlohmann::json spaceJson() const;
  void setSpaceJson(const nlohmann::json& j);

  // Makes `target`'s row active only when the choice parameter named `parameter` has one of
  // `values` (a non-empty JSON list of its values). Returns false (nothing changed) when either is
  // not marked, `parameter` is no choice, the values are empty or not among its values, or the
  // condition would make a cycle.
  bool setCondition(const QString& target, const QString& parameter, const nlohmann::json& values);
  void clearCondition(const QString& target);
  // The choice parameters (names) `target` may be conditioned on: all but itself and those that
  // depend on it (all of them when it is not marked).
  QStringList conditionParents(const QString& target) const;

  QComboBox* candidateBox() const { return candidates_; }
  QComboBox* conditionParameterBox() const { return condParent_; }  // "(always)" + choices
  QListWidget* conditionValueList() const { return condValues_; }   // checkable values
  QPushButton* setConditionButton() const { return condSet_; }
  QPushButton* clearConditionButton() const { return condClear_; }
  QPushButton* markButton() const { return mark_; }
  QTableWidget* table() const { return table_; }

 signals:
  void changed();

 private:
  void addRow(const nlohmann::json& p);
  QString currentTarget() const;
  void selectTarget(const QString& target);
  void updateConditionBar();      // for the current row
  void fillConditionValues();     // the values of the parameter chosen in condParent_
  void renameParameter(int row);  // the name cell of `row` was edited
  ModelSpec spec_;
  nlohmann::json settings_;
  QComboBox* candidates_;
  QPushButton* mark_;
  QPushButton* remove_;
  QTableWidget* table_;
  QComboBox* condParent_;
  QListWidget* condValues_;
  QPushButton* condSet_;
  QPushButton* condClear_;
  QLabel* condLabel_;
};

}  // namespace tessel::ui
