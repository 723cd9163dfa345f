#include "engine/callbacks/TerminateOnNaN.h"

#include <cmath>

#include "engine/train/Trainer.h"

namespace tessel {

void TerminateOnNaN::onBatchEnd(int, int batch, const Logs& logs) {
  if (logs.empty() || logs[0].first != "loss" || std::isfinite(logs[0].second)) return;
  if (out_) *out_ << "Batch " << batch << ": Invalid loss, terminating training\n";
  terminated_ = true;
  trainer->requestStop();
}

nlohmann::json TerminateOnNaN::toJson() const {
  return {{"class_name", "TerminateOnNaN"}, {"config", nlohmann::json::object()}};
}

}  // namespace tessel
