#pragma once
// The studio's hyperparameter search: the parameters marked "search" (SearchSpaceEditor), the
// tuner, trial budget, folds, epochs and trials at a time, Start / Stop (the search runs on a
// worker thread, SearchController), and the trials of the search (TrialsView) refreshed after every
// trial. "Apply best to model" writes the best trial's layer values into the graph and its
// compile/fit values into the settings (handed to the settings handler: the compile panel) as one
// undo step (ApplyBest.h).
#include <QString>
#include <QWidget>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/data/DatasetBuilder.h"
#include "engine/train/FitOptions.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QUndoStack;

namespace tessel::ui {

class GraphDocument;
class SearchController;
class SearchSpaceEditor;
class TrialsView;

class SearchPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SearchPanel(QWidget* parent = nullptr);
  ~SearchPanel() override;

  // The graph the search varies and applies to, and its undo stack.
  void setDocument(GraphDocument* doc, QUndoStack* stack);
  // The project file and model the search is recorded under.
  void setProject(const QString& path, qint64 modelId);
  // Compile/fit settings trials start from ({"compile", "fit", ...}, CompilePanel::settings()).
  void setSettings(const nlohmann::json& settings);
  // The data every trial trains on (k-fold over `train`; `validation` only with cv = 1) and
  // the data settings recorded with the search (null = none).
  void setData(Dataset train, std::optional<Dataset> validation = std::nullopt,
               const nlohmann::json& dataSettings = nullptr);
  // Loads the data at start() when setData() was not called (none: nothing to search on).
  void setDataLoader(std::function<std::optional<BuiltData>()> loader) {
    loader_ = std::move(loader);
  }
  // Where "Apply best" and its undo read the current settings (the compile panel's); unset: the
  // ones given to setSettings.
  void setSettingsSource(std::function<nlohmann::json()> source) {
    settingsSource_ = std::move(source);
  }
  // Called with the settings after "Apply best" (or its undo, redo) changed compile/fit values.
  void setSettingsHandler(std::function<void(const nlohmann::json&)> handler) {
    settingsHandler_ = std::move(handler);
  }

  // Starts a normal training run of the model as it stands (the studio: MainWindow::train);
  // "Train best on all data" applies the best trial, then calls it.
  void setTrainHandler(std::function<bool()> handler) { trainHandler_ = std::move(handler); }
  // Applies `values` (and the search's epochs per trial, unless epochs were searched) and starts
  // a normal run through the train handler; false when nothing started.
  bool trainWith(const nlohmann::json& values);

  // Starts a new search with the marked parameters; false (and the reason in status()) when
  // nothing can start.
  bool start();
  void stop();
  bool isRunning() const;
  qint64 searchId() const { return searchId_; }
  QString status() const;

  SearchSpaceEditor* spaceEditor() const { return editor_; }
  TrialsView* trialsView() const { return trials_; }
  QComboBox* tunerBox() const { return tuner_; }
  QSpinBox* trialsBox() const { return trialsBox_; }
  QSpinBox* foldsBox() const { return folds_; }
  QSpinBox* epochsBox() const { return epochs_; }
  // Trials at a time (SearchSettings::parallel; the compute threads are divided among them).
  QSpinBox* parallelBox() const { return parallel_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* stopButton() const { return stop_; }

 signals:
  void searchFinished(const QString& status);

 private:
  void refresh();
  void applyBest(const nlohmann::json& values);
  GraphDocument* doc_ = nullptr;
  QUndoStack* stack_ = nullptr;
  QString projectPath_;
  qint64 modelId_ = 0;
  nlohmann::json settings_;
  nlohmann::json dataSettings_;
  std::optional<Dataset> train_, validation_;
  qint64 searchId_ = 0;
  std::function<void(const nlohmann::json&)> settingsHandler_;
  std::function<nlohmann::json()> settingsSource_;
  std::function<std::optional<BuiltData>()> loader_;
  std::function<bool()> trainHandler_;
  int searchEpochs_ = 0;
  SearchSpaceEditor* editor_;
  QComboBox* tuner_;
  QSpinBox* trialsBox_;
  QSpinBox* folds_;
  QSpinBox* epochs_;
  QSpinBox* parallel_;
  QPushButton* start_;
  QPushButton* stop_;
  QLabel* status_;
  TrialsView* trials_;
  SearchController* controller_;
};

}  // namespace tessel::ui
