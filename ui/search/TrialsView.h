#pragma once
// The trials of one hyperparameter search: a sortable table (trial, objective, fold spread, each
// hyperparameter, status) above a parallel-coordinates plot (one axis per hyperparameter, scaled
// as the search space encodes it -- log for log-uniform -- and the objective; lines coloured by
// objective). Brushing an axis of the plot filters the table to the trials inside every brush.
// Next to it, a scatter of the objective against one hyperparameter (ObjectiveScatterPlot); "Export
// plots..." writes both as PNG or SVG.
// "Apply best to model" hands the best finished trial's values to the handler (the studio writes
// them into the graph as one undo step, see ApplyBest.h).
#include <QWidget>
#include <functional>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"
#include "engine/session/SearchRun.h"

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace tessel::ui {

class ObjectiveScatterPlot;
class ParallelCoordinatesPlot;
class TrialsFilter;

class TrialsView : public QWidget {
  Q_OBJECT
 public:
  explicit TrialsView(QWidget* parent = nullptr);

  void setTrials(const SearchSpace& space, const SearchSettings& settings,
                 const std::vector<SearchTrial>& trials);
  // Reads search `searchId` of the project (its own read-only connection).
  void loadFrom(const QString& projectPath, qint64 searchId);
  std::optional<SearchTrial> bestTrial() const;
  using ApplyHandler = std::function<void(const nlohmann::json& values)>;
  void setApplyHandler(ApplyHandler handler) { apply_ = std::move(handler); }
  // "Train best on all data": the best finished trial's values to the handler (the studio
  // applies them and starts a normal training run, no cross-validation).
  void setTrainBestHandler(ApplyHandler handler) { trainBest_ = std::move(handler); }

  QTableView* table() const { return table_; }
  QSortFilterProxyModel* proxy() const;
  QStandardItemModel* model() const { return model_; }
  ParallelCoordinatesPlot* plot() const { return plot_; }
  QPushButton* applyBestButton() const { return applyBest_; }
  QPushButton* trainBestButton() const { return trainBestButton_; }
  ObjectiveScatterPlot* scatter() const { return scatter_; }
  QPushButton* exportButton() const { return export_; }
  // Writes both plots next to `path` ("x.png" -> "x_parallel.png" and "x_scatter.png"; SVG when
  // the suffix is .svg); returns the files written. width/height 0 = each widget's size.
  QStringList exportPlots(const QString& path, int width = 0, int height = 0);
  // Where "Export plots..." writes (default: a save dialog); empty = cancelled.
  void setExportPathProvider(std::function<QString()> provider) {
    exportPath_ = std::move(provider);
  }
  // The project runs of the trials selected in the table.
  QList<qint64> selectedRunIds() const;
  // Column of the objective in the table (sorted on it ascending, or descending for max).
  static constexpr int kObjectiveColumn = 1;

 signals:
  // The selection of the table changed: the selected trials' runs (the studio overlays their
  // curves in the runs browser).
  void trialsSelected(const QList<qint64>& runIds);

 private:
  void updateFilter();
  QStandardItemModel* model_;
  TrialsFilter* filter_;
  QTableView* table_;
  ParallelCoordinatesPlot* plot_;
  QPushButton* applyBest_;
  QLabel* summary_;
  ObjectiveScatterPlot* scatter_;
  QPushButton* export_;
  std::function<QString()> exportPath_;
  SearchSpace space_;
  SearchSettings settings_;
  std::vector<SearchTrial> trials_;
  std::vector<int> plotted_;  // trials_ index of each plot row
  ApplyHandler apply_;
  ApplyHandler trainBest_;
  QPushButton* trainBestButton_;
};

}  // namespace tessel::ui
