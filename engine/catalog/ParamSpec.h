#pragma once
// One configuration parameter of a Keras object (layer, optimizer, loss, metric, schedule,
// callback, initializer, ...): its config key, type, Keras default and one doc line. Every catalog
// (engine/catalog/Catalog.h) describes its entries with these, so each default is written once.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

using json = nlohmann::json;

enum class ParamType {
  Int,    // integer; min/max apply
  Float,  // number; min/max apply
  Bool,
  String,       // free text
  Choice,       // one of `choices`
  IntList,      // list of ints (kernel_size, strides, target_shape, ...); an int is also accepted
                // where Keras accepts one (kernel_size=3 means (3, 3))
  Shape,        // list of ints or null (batch_input_shape, input_shape)
  Activation,   // activation name (see Activations.h)
  Initializer,  // Keras initializer: name string or {"class_name", "config"}
  Regularizer,  // null or {"class_name": "L1L2"/"L1"/"L2", "config": {...}}
  Constraint,   // null (constraints are accepted but only null is supported)
  Json          // anything (kept as is)
};

struct ParamSpec {
  std::string key;
  ParamType type;
  json defaultValue;                 // null where Keras's default is None
  std::string doc;                   // one line, as the Keras docs say it
  std::vector<std::string> choices;  // for Choice
  double min = -1e300, max = 1e300;  // for Int/Float (inclusive)
  bool nullable = false;             // null accepted
  bool required = false;  // Keras has no default (units, rate, target_shape): must be given
  json suggested;         // for required params: the value the palette puts in a new node
};

// Why `value` is not acceptable for `p` ("" when it is): type, range, choices, and for
// activations / initializers / regularizers whether the engine knows the name.
std::string paramValueError(const ParamSpec& p, const json& value);

// Small builders for ParamSpec tables.
namespace paramspec {

inline ParamSpec param(std::string key, ParamType type, json def, std::string doc) {
  ParamSpec p;
  p.key = std::move(key);
  p.type = type;
  p.defaultValue = std::move(def);
  p.doc = std::move(doc);
  p.nullable = p.defaultValue.is_null();
  return p;
}

inline ParamSpec range(ParamSpec p, double lo, double hi) {
  p.min = lo;
  p.max = hi;
  return p;
}

inline ParamSpec choice(std::string key, std::string def, std::vector<std::string> choices,
                        std::string doc) {
  ParamSpec p = param(std::move(key), ParamType::Choice, def, std::move(doc));
  p.choices = std::move(choices);
  return p;
}

// A parameter Keras has no default for; `suggested` is what the editor fills in.
inline ParamSpec required(ParamSpec p, json suggested) {
  p.required = true;
  p.nullable = false;
  p.suggested = std::move(suggested);
  return p;
}

}  // namespace paramspec

}  // namespace tessel
