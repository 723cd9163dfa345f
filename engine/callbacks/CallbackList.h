#pragma once
// Keras's CallbackList: the one list fit() dispatches every event through, once per callback, in
// list order. The order is Keras 2's (_add_default_callbacks): the progress logger first (when
// fit is verbose), then the user's callbacks, then History; observers (the studio's training
// bridge, the run recorder) are appended after History. A callback that extends the epoch logs
// (ReduceLROnPlateau's "lr") does so for every callback after it, History included.
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"

namespace tessel {

class CallbackList {
 public:
  // progress and history may be null (no progress output, no History).
  CallbackList(Callback* progress, const std::vector<Callback*>& callbacks, Callback* history);

  void append(Callback* callback);  // ignored when null
  const std::vector<Callback*>& callbacks() const { return callbacks_; }

  // Keras set_model: every callback's `trainer` (null clears it).
  void setTrainer(Trainer* trainer);

  void onTrainBegin(const FitOptions& options, int stepsPerEpoch);
  void onEpochBegin(int epoch);
  void onBatchEnd(int epoch, int batch, const Logs& logs);
  void onEpochEnd(int epoch, Logs& logs);
  void onFinished(const History& history);
  void onFailed(const std::string& message);

 private:
  std::vector<Callback*> callbacks_;
};

}  // namespace tessel
