#pragma once
// Keras logs: name → value in Keras order (loss, per-output losses, metrics, then val_*).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

using Logs = std::vector<std::pair<std::string, double>>;

// Value of `key` in logs, or nullopt.
inline std::optional<double> findLog(const Logs& logs, const std::string& key) {
  for (const auto& [k, v] : logs)
    if (k == key) return v;
  return std::nullopt;
}

// Sets (or appends) `key`.
inline void setLog(Logs& logs, const std::string& key, double value) {
  for (auto& [k, v] : logs)
    if (k == key) {
      v = value;
      return;
    }
  logs.emplace_back(key, value);
}

}  // namespace tessel
