#include "engine/catalog/Catalog.h"

#include <algorithm>

namespace tessel {

const ParamSpec* CatalogEntry::param(const std::string& key) const {
  auto it =
      std::find_if(params.begin(), params.end(), [&](const ParamSpec& p) { return p.key == key; });
  return it == params.end() ? nullptr : &*it;
}

json CatalogEntry::defaultConfig() const {
  json out = json::object();
  for (const ParamSpec& p : params)
    if (!p.required) out[p.key] = p.defaultValue;
  return out;
}

json CatalogEntry::completeConfig(const json& config, const std::string& kind,
                                  const std::vector<std::string>& extraKeys) const {
  const std::string who = kind + " '" + className + "'";
  if (!config.is_null() && !config.is_object()) throw Error(who + ": config must be an object");
  json out = config.is_null() ? json::object() : config;
  for (auto it = out.begin(); it != out.end(); ++it) {
    const ParamSpec* p = param(it.key());
    if (!p) {
      if (std::find(extraKeys.begin(), extraKeys.end(), it.key()) != extraKeys.end()) continue;
      throw Error(who + ": unknown config key '" + it.key() + "'");
    }
    const std::string why = paramValueError(*p, it.value());
    if (!why.empty()) throw Error(who + ": '" + p->key + "' = " + it.value().dump() + ": " + why);
  }
  for (const ParamSpec& p : params) {
    if (p.required && (!out.contains(p.key) || out[p.key].is_null()))
      throw Error(who + ": '" + p.key + "' is required");
    if (!out.contains(p.key)) out[p.key] = p.defaultValue;
  }
  return out;
}

}  // namespace tessel
