#include "engine/train/History.h"

#include "engine/core/Error.h"

namespace tessel {

void History::append(int epoch, const Logs& logs) {
  epochs.push_back(epoch);
  for (const auto& [key, value] : logs) {
    auto it = values.find(key);
    if (it == values.end()) {
      keys.push_back(key);
      it = values.emplace(key, std::vector<double>{}).first;
    }
    it->second.push_back(value);
  }
}

const std::vector<double>& History::operator[](const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) throw Error("history has no key '" + key + "'");
  return it->second;
}

}  // namespace tessel
