#pragma once
// The state a TrainingController shares with its worker thread: buffers the worker fills and
// the GUI timer drains, the control requests (pause, stop, learning rate) and the outcome.
#include <QPointF>
#include <QString>
#include <QVector>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "engine/train/Logs.h"
#include "ui/training/TrainingTypes.h"

namespace tessel {
class Trainer;
}  // namespace tessel

namespace tessel::ui {

using json = nlohmann::json;

// State shared by the GUI thread and the worker; everything behind `mu`.
struct TrainingShared {
  std::mutex mu;
  std::condition_variable cv;  // wakes a paused worker
  // Buffers drained by the GUI timer.
  QVector<QPointF> points;
  std::vector<std::pair<int, Logs>> epochLogs;
  QVector<TrainingEvent> events;
  QVector<QPointF> lrPoints;
  QVector<LayerHistogram> hist;
  int histEpoch = -1;
  // An epoch ended early by a stop (0-based; -1: none) and the batches it ran.
  int partialEpoch = -1, partialBatches = 0;
  bool histPending = false;
  bool startedPending = false;
  int epochs = 0, stepsPerEpoch = 0, epoch = 0, batch = -1, initialEpoch = 0;
  qint64 samples = 0;  // training samples processed so far
  qint64 step = 0;     // global step (batches done, counting from epoch 0)
  double lr = 0;
  qint64 runId = 0;
  bool runIdPending = false;
  // Control: the trainer while fit() runs, and requests made before it exists.
  Trainer* trainer = nullptr;
  bool stopRequested = false, pauseRequested = false;
  std::optional<double> pendingLr;
  std::optional<json> pendingOptimizer;  // {"class_name", "config"} set while paused
  // Outcome, set by the worker before it ends.
  QString status, error;
  Logs testLogs;  // evaluate() on the test data after a finished fit (empty otherwise)
};

}  // namespace tessel::ui
