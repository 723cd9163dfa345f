#pragma once
// The objective against one hyperparameter (a QCustomPlot scatter next to the parallel
// coordinates): a combo picks the hyperparameter; x is its value (a log axis for log-uniform,
// the choice labels for a choice), y the objective of every finished trial, the best trial
// drawn larger in its own colour.
#include <QWidget>
#include <vector>

#include "engine/search/SearchSpace.h"
#include "engine/session/SearchRun.h"

class QComboBox;
class QCustomPlot;

namespace tessel::ui {

class ObjectiveScatterPlot : public QWidget {
  Q_OBJECT
 public:
  explicit ObjectiveScatterPlot(QWidget* parent = nullptr);

  void setTrials(const SearchSpace& space, const SearchSettings& settings,
                 const std::vector<SearchTrial>& trials);
  // Shows hyperparameter `name` (false when the space has none of that name).
  bool showParameter(const QString& name);
  QString parameter() const;
  // The points drawn (x as plotted: the value, or the choice index), best trial excluded.
  int pointCount() const;

  QComboBox* parameterBox() const { return box_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  void redraw();
  QComboBox* box_;
  QCustomPlot* plot_;
  SearchSpace space_;
  SearchSettings settings_;
  std::vector<SearchTrial> trials_;
};

// Writes `plot` to `path` as PNG, or SVG when the suffix is .svg (QSvgGenerator, as the training
// curves export does); width/height 0 = the widget's size. False when nothing was written.
bool savePlotImage(QCustomPlot* plot, const QString& path, int width = 0, int height = 0);

}  // namespace tessel::ui
