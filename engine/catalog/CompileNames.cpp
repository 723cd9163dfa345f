#include "engine/catalog/CompileNames.h"

#include <algorithm>

#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "engine/catalog/OptimizerCatalog.h"

namespace tessel {

namespace {

template <typename Entry>
std::string unknown(const Catalog<Entry>& catalog, const std::string& name,
                    const std::string& more = {}) {
  return "unknown " + catalog.kind() + " '" + name + "' (known: " + more + catalog.knownNames() +
         ")";
}

}  // namespace

std::string optimizerNameError(const std::string& name) {
  return optimizerCatalog().find(name) ? "" : unknown(optimizerCatalog(), name);
}

std::string lossNameError(const std::string& name) {
  return lossCatalog().find(name) ? "" : unknown(lossCatalog(), name);
}

std::string metricNameError(const std::string& name) {
  const auto& resolved = resolvedMetricNames();
  if (std::find(resolved.begin(), resolved.end(), name) != resolved.end()) return "";
  if (metricCatalog().find(name)) return "";
  std::string more;
  for (const std::string& n : resolved) more += n + ", ";
  return unknown(metricCatalog(), name, more);
}

}  // namespace tessel
