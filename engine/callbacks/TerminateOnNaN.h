#pragma once
// Keras TerminateOnNaN: stops when the batch "loss" is NaN or infinite. (The Trainer already
// stops on a non-finite loss and restores the last good weights; this callback is kept for
// Keras parity.)
#include <iostream>

#include "engine/callbacks/Callback.h"

namespace tessel {

class TerminateOnNaN : public Callback {
 public:
  explicit TerminateOnNaN(std::ostream* out = &std::cout) : out_(out) {}
  void onBatchEnd(int epoch, int batch, const Logs& logs) override;
  bool terminated() const { return terminated_; }

  nlohmann::json toJson() const override;

 private:
  std::ostream* out_;
  bool terminated_ = false;
};

}  // namespace tessel
