#include "engine/callbacks/ResetStates.h"

#include "engine/train/StatefulRnn.h"
#include "engine/train/Trainer.h"

namespace tessel {

void ResetStates::onEpochEnd(int, const Logs&) {
  if (!trainer) return;
  resetStates(trainer->model());
  ++resets_;
}

nlohmann::json ResetStates::toJson() const {
  return {{"class_name", "ResetStates"}, {"config", nlohmann::json::object()}};
}

}  // namespace tessel
