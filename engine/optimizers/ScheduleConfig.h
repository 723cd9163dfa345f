#pragma once
// Internal helper for reading schedule configs: typed getters with Keras defaults and clear
// errors, and a check for unknown keys.
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/Error.h"

namespace tessel::scheduledetail {

inline void checkKeys(const std::string& cls, const nlohmann::json& c,
                      std::initializer_list<const char*> keys) {
  for (const auto& [k, v] : c.items()) {
    bool ok = k == "name";
    for (const char* key : keys) ok = ok || k == key;
    if (!ok) throw Error("schedule '" + cls + "': unknown config key '" + k + "'");
  }
}

inline double number(const std::string& cls, const nlohmann::json& c, const char* key) {
  if (!c.contains(key) || !c[key].is_number())
    throw Error("schedule '" + cls + "': '" + key + "' is required and must be a number");
  return c[key].get<double>();
}

inline double number(const std::string& cls, const nlohmann::json& c, const char* key, double def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  return number(cls, c, key);
}

inline bool boolean(const std::string& cls, const nlohmann::json& c, const char* key, bool def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_boolean())
    throw Error("schedule '" + cls + "': '" + key + "' must be true or false");
  return c[key].get<bool>();
}

inline double positive(const std::string& cls, const nlohmann::json& c, const char* key) {
  const double v = number(cls, c, key);
  if (!(v > 0)) throw Error("schedule '" + cls + "': '" + key + "' must be > 0");
  return v;
}

}  // namespace tessel::scheduledetail
