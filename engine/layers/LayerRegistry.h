#pragma once
// Which layers exist, what parameters each has (type, default, choices, Keras doc line), and how
// to create one from a Keras config. The same descriptions drive config validation, the
// inspector in the studio and the palette.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/layers/Layer.h"

namespace tessel {

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

struct LayerInfo {
  std::string className;    // "Dense"
  std::string group;        // Keras doc group: Core, Convolution, Pooling, Normalization,
                            // Regularization, Merging, Reshaping, Preprocessing, Activation
  std::string description;  // one line for the palette
  int minInputs = 1;        // merge layers: 2 (or 1), maxInputs = -1 for "any"
  int maxInputs = 1;
  std::vector<ParamSpec> params;  // layer-specific parameters (name/trainable/dtype are common)
  std::function<std::unique_ptr<Layer>(const json& config)> create;
};

class LayerRegistry {
 public:
  static LayerRegistry& instance();  // all built-in layers registered
  void add(LayerInfo info);
  const LayerInfo* find(const std::string& className) const;  // nullptr if unknown
  std::vector<const LayerInfo*> all() const;                  // sorted by group, then name

  // Fills defaults, checks every key and value against the specs. Throws SpecError
  // (UnknownConfigKey / BadValue / UnknownLayer) naming `nodeName`. Keys common to every Keras
  // layer (name, trainable, dtype, batch_input_shape, input_shape, batch_size, ...) are allowed.
  json completeConfig(const std::string& className, const json& config,
                      const std::string& nodeName) const;
  // completeConfig + create.
  std::unique_ptr<Layer> create(const std::string& className, const json& config,
                                const std::string& nodeName) const;

 private:
  std::map<std::string, LayerInfo> infos_;
};

// Registration functions, one per layer family, each in its own file. LayerRegistry::instance()
// calls them all.
void registerCoreLayers(LayerRegistry& registry);           // layers/CoreLayers.cpp
void registerConvLayers(LayerRegistry& registry);           // layers/ConvLayers.cpp
void registerNormLayers(LayerRegistry& registry);           // layers/NormLayers.cpp
void registerPreprocessingLayers(LayerRegistry& registry);  // layers/PreprocessingLayers.cpp

}  // namespace tessel
