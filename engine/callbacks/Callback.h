#pragma once
// Base of every participant of Trainer::fit, as Keras's keras.callbacks.Callback: the Keras
// callbacks (EarlyStopping, ...), History, the progress logger and the observers of the studio
// and the run recorder. fit() puts them in ONE CallbackList (CallbackList.h) that dispatches each
// event once to each, in list order, on the training thread. Epochs are 0-based (as Keras
// callbacks see them), batches 0-based within the epoch.
//
// The list sets `trainer` before onTrainBegin and clears it after the last event; callbacks may
// call trainer->requestStop(), read/write trainer->model() weights and trainer->optimizer()
// learning rate. A fit ends with exactly one of onFinished (Keras on_train_end) or onFailed (a
// NaN/Inf loss stopped it; fit() still returns the History).
#include <nlohmann/json.hpp>
#include <string>

#include "engine/train/FitOptions.h"
#include "engine/train/Logs.h"

namespace tessel {

class Trainer;
struct History;

class Callback {
 public:
  virtual ~Callback() = default;

  Trainer* trainer = nullptr;

  virtual void onTrainBegin(const FitOptions&, int /*stepsPerEpoch*/) {}
  virtual void onEpochBegin(int /*epoch*/) {}
  // logs: running "loss" (and per-output losses) of the epoch so far. Metrics are computed at
  // epoch end only (keeps the hot loop lean).
  virtual void onBatchEnd(int /*epoch*/, int /*batch*/, const Logs&) {}
  // Epoch end with logs a callback may extend (ReduceLROnPlateau adds "lr", as Keras 2); later
  // callbacks in the list see the extension. The default forwards to onEpochEnd.
  virtual void onEpochEndLogs(int epoch, Logs& logs) { onEpochEnd(epoch, logs); }
  virtual void onEpochEnd(int /*epoch*/, const Logs&) {}
  virtual void onFinished(const History&) {}
  virtual void onFailed(const std::string& /*message*/) {}

  // Keras serialization {"class_name": ..., "config": {...}} of the callbacks the callback
  // catalog builds (CallbackCatalog.h); null for the others (History, progress, observers).
  virtual nlohmann::json toJson() const { return nullptr; }
};

}  // namespace tessel
