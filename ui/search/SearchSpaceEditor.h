#pragma once
// Marking parameters as "search": the model's layer parameters (units, filters, rate,
// activation, ...), the optimizer, its learning rate and momentum, batch size and epochs are
// offered in a list; "Mark as search" adds the chosen one to the space with a distribution
// proposed from its current value (units v: int [v/4, 4v]; learning rate v: log-uniform
// [v/10, 10v]; rates: uniform [0, 0.5]; activation: a choice), which the table lets the user
// edit (distribution, min, max, step, choice values as a JSON list). space() is the SearchSpace
// the search runs on (engine/search/SearchSpace.h), its JSON is what the project saves with the
// model ("search_space" in the compile settings).
#include <QWidget>
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"
#include "engine/search/SearchSpace.h"

class QComboBox;
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

  QComboBox* candidateBox() const { return candidates_; }
  QPushButton* markButton() const { return mark_; }
  QTableWidget* table() const { return table_; }

 signals:
  void changed();

 private:
  void addRow(const nlohmann::json& p);
  ModelSpec spec_;
  nlohmann::json settings_;
  QComboBox* candidates_;
  QPushButton* mark_;
  QPushButton* remove_;
  QTableWidget* table_;
};

}  // namespace tessel::ui
