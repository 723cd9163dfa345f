#pragma once
// Internal helper for reading schedule configs completed by the schedule catalog
// (engine/catalog/ScheduleCatalog.h: keys checked, defaults filled in): typed getters with clear
// errors.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/Error.h"

namespace tessel::scheduledetail {

inline double number(const std::string& cls, const nlohmann::json& c, const char* key) {
  if (!c.contains(key) || !c[key].is_number())
    throw Error("schedule '" + cls + "': '" + key + "' is required and must be a number");
  return c[key].get<double>();
}

inline bool boolean(const std::string& cls, const nlohmann::json& c, const char* key) {
  if (!c.contains(key) || !c[key].is_boolean())
    throw Error("schedule '" + cls + "': '" + key + "' must be true or false");
  return c[key].get<bool>();
}

inline double positive(const std::string& cls, const nlohmann::json& c, const char* key) {
  const double v = number(cls, c, key);
  if (!(v > 0)) throw Error("schedule '" + cls + "': '" + key + "' must be > 0");
  return v;
}

}  // namespace tessel::scheduledetail
