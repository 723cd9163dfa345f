#include "engine/catalog/ParamSpec.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/Activations.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

namespace {

std::string rangeText(const ParamSpec& p) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string + ...
  std::string text = "[";
  text += json(p.min).dump();
  text += ", ";
  text += json(p.max).dump();
  text += "]";
  return text;
}

bool outOfRange(const ParamSpec& p, const json& v) {
  return v.get<double>() < p.min || v.get<double>() > p.max;
}

// The engine's own parser decides whether a name is known; its message is the reason.
template <typename Parse>
std::string parseError(Parse parse) {
  try {
    parse();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::string intListError(const ParamSpec& p, const json& v) {
  if (v.is_number_integer()) return outOfRange(p, v) ? "must be in " + rangeText(p) : "";
  if (!v.is_array()) return "expected a list of integers";
  for (const auto& e : v) {
    if (!e.is_number_integer()) return "expected a list of integers";
    if (outOfRange(p, e)) return "entries must be in " + rangeText(p);
  }
  return {};
}

}  // namespace

std::string paramValueError(const ParamSpec& p, const json& v) {
  if (v.is_null()) {
    if (p.nullable || p.defaultValue.is_null() || p.type == ParamType::Regularizer ||
        p.type == ParamType::Constraint || p.type == ParamType::Json || p.type == ParamType::Shape)
      return {};
    return "must not be null";
  }
  switch (p.type) {
    case ParamType::Int:
      if (!v.is_number_integer() &&
          !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
        return std::string("expected an integer, got ") + v.type_name();
      return outOfRange(p, v) ? "must be in " + rangeText(p) : "";
    case ParamType::Float:
      if (!v.is_number()) return std::string("expected a number, got ") + v.type_name();
      if (!std::isfinite(v.get<double>())) return "must be finite";
      return outOfRange(p, v) ? "must be in " + rangeText(p) : "";
    case ParamType::Bool:
      return v.is_boolean() ? "" : "expected true or false";
    case ParamType::String:
      return v.is_string() ? "" : "expected a string";
    case ParamType::Choice: {
      if (!v.is_string()) return "expected a string";
      if (std::find(p.choices.begin(), p.choices.end(), v.get<std::string>()) != p.choices.end())
        return {};
      std::string list;
      for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
      return "must be one of: " + list;
    }
    case ParamType::IntList:
      return intListError(p, v);
    case ParamType::Shape:
      if (!v.is_array()) return "expected a shape (list of integers or null)";
      for (const auto& e : v)
        if (!e.is_null() && !(e.is_number_integer() && e.get<long long>() >= 0))
          return "expected a shape (list of non-negative integers or null)";
      return {};
    case ParamType::Activation:
      if (!v.is_string()) return "expected an activation name";
      return parseError([&] { activationFromName(v.get<std::string>()); });
    case ParamType::Initializer:
      if (!v.is_string() && !(v.is_object() && v.contains("class_name")))
        return "expected an initializer name or {\"class_name\", \"config\"}";
      return parseError([&] { Initializer::fromJson(v); });
    case ParamType::Regularizer:
      if (!v.is_string() && !(v.is_object() && v.contains("class_name")))
        return "expected null or {\"class_name\": \"L1L2\", \"config\": {...}}";
      return parseError([&] { Regularizer::fromJson(v); });
    case ParamType::Constraint:
      return "constraints are not supported; use null";
    case ParamType::Json:
      return {};
  }
  return {};
}

}  // namespace tessel
