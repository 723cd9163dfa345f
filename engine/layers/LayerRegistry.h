#pragma once
// Which layers exist, what parameters each has (type, default, choices, Keras doc line), and how
// to create one from a Keras config. The same descriptions drive config validation, the
// inspector in the studio and the palette.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/catalog/ParamSpec.h"
#include "engine/layers/Layer.h"

namespace tessel {

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
