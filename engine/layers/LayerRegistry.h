#pragma once
// The layer catalog: which layers exist, their aliases, parameters (type, Keras default, choices,
// doc line), docs group and hooks (LayerInfo, engine/catalog/LayerInfo.h), and how to create one
// from a Keras config. Config validation, shape inference, the trainer, the ONNX and Python
// exporters, the inspector, the palette and the editor's node look all read it.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/catalog/LayerInfo.h"
#include "engine/catalog/ParamSpec.h"
#include "engine/layers/Layer.h"

namespace tessel {

class LayerRegistry {
 public:
  static LayerRegistry& instance();  // all built-in layers registered
  // Registers a layer type and returns its stored entry (aliases may be set on it afterwards).
  // Throws Error when the class name or an alias is taken already.
  LayerInfo& add(LayerInfo info);
  // By class name, then by alias (Keras's MaxPool2D for MaxPooling2D); nullptr if unknown.
  const LayerInfo* find(const std::string& className) const;
  std::vector<const LayerInfo*> all() const;  // sorted by group, then name
  // True for a model input layer (LayerInfo::isInput): InputLayer.
  bool isInput(const std::string& className) const;

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
void registerExpressionLayers(LayerRegistry& registry);     // layers/ExpressionLayers.cpp
void registerRecurrentLayers(LayerRegistry& registry);      // layers/RecurrentLayers.cpp
void registerAttentionLayers(LayerRegistry& registry);      // layers/AttentionLayers.cpp
void registerTextLayers(LayerRegistry& registry);           // layers/TextLayers.cpp

}  // namespace tessel
