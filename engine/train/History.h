#pragma once
// Keras History: per-epoch logs. keys in first-seen order; epochs are 0-based as Keras's
// history.epoch.
#include <map>
#include <string>
#include <vector>

#include "engine/train/Logs.h"

namespace tessel {

struct History {
  std::vector<std::string> keys;
  std::map<std::string, std::vector<double>> values;
  std::vector<int> epochs;
  std::string stopReason;  // empty, or why training ended early (NaN message, stop request, ...)

  void append(int epoch, const Logs& logs);
  const std::vector<double>& operator[](const std::string& key) const;  // throws if missing
};

}  // namespace tessel
