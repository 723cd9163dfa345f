#include "engine/layers/LayerRegistry.h"

#include <algorithm>
#include <set>

#include "engine/core/Error.h"

namespace tessel {

LayerRegistry& LayerRegistry::instance() {
  static LayerRegistry* registry = [] {
    auto* r = new LayerRegistry;
    registerCoreLayers(*r);
    registerConvLayers(*r);
    registerNormLayers(*r);
    registerPreprocessingLayers(*r);
    registerExpressionLayers(*r);
    registerRecurrentLayers(*r);
    registerAttentionLayers(*r);
    registerTextLayers(*r);
    return r;
  }();
  return *registry;
}

LayerInfo& LayerRegistry::add(LayerInfo info) {
  std::vector<std::string> names{info.className};
  names.insert(names.end(), info.aliases.begin(), info.aliases.end());
  for (const std::string& n : names)
    if (find(n)) throw Error("layer catalog: '" + n + "' is registered twice");
  std::string key = info.className;
  return infos_[key] = std::move(info);
}

const LayerInfo* LayerRegistry::find(const std::string& className) const {
  auto it = infos_.find(className);
  if (it != infos_.end()) return &it->second;
  for (const auto& [name, info] : infos_)
    if (std::find(info.aliases.begin(), info.aliases.end(), className) != info.aliases.end())
      return &info;
  return nullptr;
}

bool LayerRegistry::isInput(const std::string& className) const {
  const LayerInfo* info = find(className);
  return info && info->isInput;
}

std::vector<const LayerInfo*> LayerRegistry::all() const {
  std::vector<const LayerInfo*> out;
  for (const auto& [k, v] : infos_) out.push_back(&v);
  std::stable_sort(out.begin(), out.end(), [](const LayerInfo* a, const LayerInfo* b) {
    return a->group != b->group ? a->group < b->group : a->className < b->className;
  });
  return out;
}

namespace {

// Keys every Keras layer config may carry.
const std::set<std::string>& commonKeys() {
  static const std::set<std::string> keys = {
      "name",      "trainable", "dtype",   "batch_input_shape", "input_shape", "batch_size",
      "input_dim", "autocast",  "dynamic", "input_dtype",       "batch_shape"};
  return keys;
}

}  // namespace

json LayerRegistry::completeConfig(const std::string& className, const json& config,
                                   const std::string& nodeName) const {
  const LayerInfo* info = find(className);
  if (!info)
    throw SpecError(SpecErrorKind::UnknownLayer, nodeName,
                    "layer type '" + className + "' is not supported");
  if (!config.is_null() && !config.is_object())
    throw SpecError(SpecErrorKind::BadValue, nodeName, "config must be a JSON object");
  json out = config.is_null() ? json::object() : config;
  for (auto it = out.begin(); it != out.end(); ++it) {
    // A layer's own spec wins over the common keys (InputLayer declares batch_input_shape).
    auto spec = std::find_if(info->params.begin(), info->params.end(),
                             [&](const ParamSpec& p) { return p.key == it.key(); });
    if (spec == info->params.end()) {
      if (commonKeys().count(it.key())) continue;
      throw SpecError(SpecErrorKind::UnknownConfigKey, nodeName,
                      "unknown config key '" + it.key() + "' for " + className);
    }
    const std::string why = paramValueError(*spec, it.value());
    if (!why.empty())
      throw SpecError(SpecErrorKind::BadValue, nodeName,
                      "config '" + spec->key + "' = " + it.value().dump() + ": " + why);
  }
  if (info->unsupported)  // e.g. a Keras Lambda holding Python code: say so, with the name
    if (const std::string why = info->unsupported(out); !why.empty())
      throw SpecError(SpecErrorKind::BadValue, nodeName, why);
  for (const auto& p : info->params) {
    if (p.required && (!out.contains(p.key) || out[p.key].is_null()))
      throw SpecError(SpecErrorKind::BadValue, nodeName,
                      "config '" + p.key + "' is required for " + className);
    if (!out.contains(p.key)) out[p.key] = p.defaultValue;
  }
  if (!out.contains("name")) out["name"] = nodeName;
  if (!out.contains("trainable")) out["trainable"] = true;
  if (!out.contains("dtype")) out["dtype"] = "float32";
  return out;
}

std::unique_ptr<Layer> LayerRegistry::create(const std::string& className, const json& config,
                                             const std::string& nodeName) const {
  json full = completeConfig(className, config, nodeName);
  try {
    return find(className)->create(full);
  } catch (const SpecError&) {
    throw;
  } catch (const Error& e) {  // a layer constructor's plain Error: report it on the node
    throw SpecError(SpecErrorKind::BadValue, nodeName, e.what());
  }
}

}  // namespace tessel
