#include "engine/io/LayerSupport.h"

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

std::vector<std::string> unsupportedLayers(const ModelSpec& spec) {
  std::vector<std::string> out;
  const LayerRegistry& registry = LayerRegistry::instance();
  for (const auto& n : spec.nodes) {
    const LayerInfo* info = registry.find(n.className);
    if (!info) {
      out.push_back("'" + n.name + "' (" + n.className + ")");
    } else if (info->unsupported) {
      std::string why;
      try {
        why = info->unsupported(n.config);
      } catch (const json::exception& e) {  // a config of the wrong form (a file's, any bytes)
        why = std::string("config of the wrong form: ") + e.what();
      }
      if (!why.empty()) out.push_back("'" + n.name + "' (" + n.className + ": " + why + ")");
    }
  }
  return out;
}

void requireSupportedLayers(const ModelSpec& spec, const std::string& source) {
  auto missing = unsupportedLayers(spec);
  if (missing.empty()) return;
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  throw Error(source + ": " + std::to_string(missing.size()) +
              (missing.size() == 1 ? " layer is" : " layers are") + " not supported by Tessel: " +
              list + " (replace them or remove them from the model before importing)");
}

}  // namespace tessel
