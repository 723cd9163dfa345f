#pragma once
// Base of Keras callbacks. The Trainer sets `trainer` before onTrainBegin; callbacks may call
// trainer->requestStop(), read/write trainer->model() weights and trainer->optimizer() learning
// rate. Callbacks run before the observer, in list order, on the training thread.
#include "engine/train/TrainObserver.h"

namespace tessel {

class Trainer;

class Callback : public TrainObserver {
 public:
  Trainer* trainer = nullptr;
  // Epoch end with logs the callback may extend (ReduceLROnPlateau adds "lr", as Keras 2). The
  // default forwards to onEpochEnd. The History records the logs after every callback ran.
  virtual void onEpochEndLogs(int epoch, Logs& logs) { onEpochEnd(epoch, logs); }
};

}  // namespace tessel
