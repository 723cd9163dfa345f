#include "engine/layers/LayerRegistry.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/Error.h"
#include "engine/layers/Activations.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

LayerRegistry& LayerRegistry::instance() {
  static LayerRegistry* registry = [] {
    auto* r = new LayerRegistry;
    registerCoreLayers(*r);
    registerConvLayers(*r);
    registerNormLayers(*r);
    registerPreprocessingLayers(*r);
    return r;
  }();
  return *registry;
}

void LayerRegistry::add(LayerInfo info) {
  std::string key = info.className;
  infos_[key] = std::move(info);
}

const LayerInfo* LayerRegistry::find(const std::string& className) const {
  auto it = infos_.find(className);
  return it == infos_.end() ? nullptr : &it->second;
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

std::string jsonTypeName(const json& v) {
  return v.type_name();
}

void checkValue(const ParamSpec& p, const json& v, const std::string& node) {
  auto bad = [&](const std::string& why) {
    throw SpecError(SpecErrorKind::BadValue, node,
                    "config '" + p.key + "' = " + v.dump() + ": " + why);
  };
  if (v.is_null()) {
    if (p.nullable || p.defaultValue.is_null() || p.type == ParamType::Regularizer ||
        p.type == ParamType::Constraint || p.type == ParamType::Json || p.type == ParamType::Shape)
      return;
    bad("must not be null");
  }
  switch (p.type) {
    case ParamType::Int:
      if (!v.is_number_integer() &&
          !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
        bad("expected an integer, got " + jsonTypeName(v));
      if (v.get<double>() < p.min || v.get<double>() > p.max)
        bad("must be in [" + json(p.min).dump() + ", " + json(p.max).dump() + "]");
      break;
    case ParamType::Float:
      if (!v.is_number()) bad("expected a number, got " + jsonTypeName(v));
      if (!std::isfinite(v.get<double>())) bad("must be finite");
      if (v.get<double>() < p.min || v.get<double>() > p.max)
        bad("must be in [" + json(p.min).dump() + ", " + json(p.max).dump() + "]");
      break;
    case ParamType::Bool:
      if (!v.is_boolean()) bad("expected true or false");
      break;
    case ParamType::String:
      if (!v.is_string()) bad("expected a string");
      break;
    case ParamType::Choice: {
      if (!v.is_string()) bad("expected a string");
      std::string s = v;
      if (std::find(p.choices.begin(), p.choices.end(), s) == p.choices.end()) {
        std::string list;
        for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
        bad("must be one of: " + list);
      }
      break;
    }
    case ParamType::IntList:
      if (v.is_number_integer()) {
        if (v.get<double>() < p.min || v.get<double>() > p.max)
          bad("must be in [" + json(p.min).dump() + ", " + json(p.max).dump() + "]");
        break;
      }
      if (!v.is_array()) bad("expected a list of integers");
      for (const auto& e : v) {
        if (!e.is_number_integer()) bad("expected a list of integers");
        if (e.get<double>() < p.min || e.get<double>() > p.max)
          bad("entries must be in [" + json(p.min).dump() + ", " + json(p.max).dump() + "]");
      }
      break;
    case ParamType::Shape:
      if (!v.is_array()) bad("expected a shape (list of integers or null)");
      for (const auto& e : v)
        if (!e.is_null() && !(e.is_number_integer() && e.get<long long>() >= 0))
          bad("expected a shape (list of non-negative integers or null)");
      break;
    case ParamType::Activation:
      if (!v.is_string()) bad("expected an activation name");
      try {
        activationFromName(v.get<std::string>());
      } catch (const Error& e) {
        bad(e.what());
      }
      break;
    case ParamType::Initializer:
      if (!v.is_string() && !(v.is_object() && v.contains("class_name")))
        bad("expected an initializer name or {\"class_name\", \"config\"}");
      try {
        Initializer::fromJson(v);
      } catch (const Error& e) {
        bad(e.what());
      }
      break;
    case ParamType::Regularizer:
      if (!v.is_string() && !(v.is_object() && v.contains("class_name")))
        bad("expected null or {\"class_name\": \"L1L2\", \"config\": {...}}");
      try {
        Regularizer::fromJson(v);
      } catch (const Error& e) {
        bad(e.what());
      }
      break;
    case ParamType::Constraint:
      bad("constraints are not supported; use null");
      break;
    case ParamType::Json:
      break;
  }
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
    checkValue(*spec, it.value(), nodeName);
  }
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
