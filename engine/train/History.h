#pragma once
// Keras History: the callback fit() always adds, recording the logs of every epoch end. keys in
// first-seen order; epochs are 0-based as Keras's history.epoch. fit() returns it.
#include <map>
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"
#include "engine/train/Logs.h"

namespace tessel {

struct History : Callback {
  std::vector<std::string> keys;
  std::map<std::string, std::vector<double>> values;
  std::vector<int> epochs;
  std::string stopReason;  // empty, or why training ended early (NaN message, stop request, ...)

  void onEpochEnd(int epoch, const Logs& logs) override { append(epoch, logs); }

  void append(int epoch, const Logs& logs);
  const std::vector<double>& operator[](const std::string& key) const;  // throws if missing
};

}  // namespace tessel
