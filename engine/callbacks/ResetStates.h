#pragma once
// ResetStates: calls model.reset_states() at the end of every epoch, so that each epoch of a model
// with stateful recurrent layers starts from zero states (StatefulRnn.h). Not a Keras built-in:
// Keras users write keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs:
// model.reset_states()); fit itself never resets stateful layers, here as in Keras.
#include "engine/callbacks/Callback.h"

namespace tessel {

class ResetStates : public Callback {
 public:
  void onEpochEnd(int epoch, const Logs& logs) override;
  int resets() const { return resets_; }  // epochs ended with a reset
  nlohmann::json toJson() const override;

 private:
  int resets_ = 0;
};

}  // namespace tessel
