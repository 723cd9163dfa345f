#pragma once
// Small builders for the ParamSpec tables of the layer registration files (CoreLayers.cpp,
// ConvLayers.cpp, NormLayers.cpp, ...).
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/layers/LayerRegistry.h"

namespace tessel::paramspec {

// An initializer default as Keras 2's get_config writes it ({"class_name", "config": {"seed"}}).
inline json keras2Initializer(const char* className) {
  json config = json::object();
  if (std::string(className) != "Zeros" && std::string(className) != "Ones")
    config["seed"] = nullptr;
  return {{"class_name", className}, {"config", config}};
}

// The parameters Dense and the Conv layers share, in Keras 2 get_config order: activation,
// use_bias, kernel/bias initializers, kernel/bias/activity regularizers, kernel/bias constraints.
inline std::vector<ParamSpec> activationKernelBiasParams() {
  return {
      param("activation", ParamType::Activation, "linear",
            "Activation function to use (linear: a(x) = x)."),
      param("use_bias", ParamType::Bool, true, "Whether the layer uses a bias vector."),
      param("kernel_initializer", ParamType::Initializer, keras2Initializer("GlorotUniform"),
            "Initializer for the kernel weights matrix."),
      param("bias_initializer", ParamType::Initializer, keras2Initializer("Zeros"),
            "Initializer for the bias vector."),
      param("kernel_regularizer", ParamType::Regularizer, nullptr,
            "Regularizer function applied to the kernel weights matrix."),
      param("bias_regularizer", ParamType::Regularizer, nullptr,
            "Regularizer function applied to the bias vector."),
      param("activity_regularizer", ParamType::Regularizer, nullptr,
            "Regularizer function applied to the output of the layer (its activation)."),
      param("kernel_constraint", ParamType::Constraint, nullptr,
            "Constraint function applied to the kernel weights matrix."),
      param("bias_constraint", ParamType::Constraint, nullptr,
            "Constraint function applied to the bias vector."),
  };
}

template <typename L>
std::function<std::unique_ptr<Layer>(const json&)> factory() {
  return [](const json& config) -> std::unique_ptr<Layer> { return std::make_unique<L>(config); };
}

// One layer type's description (one input; set minInputs / maxInputs after for others).
inline LayerInfo layerInfo(const char* className, const char* group, const char* desc,
                           std::vector<ParamSpec> params,
                           std::function<std::unique_ptr<Layer>(const json&)> create) {
  LayerInfo info;
  info.className = className;
  info.group = group;
  info.doc = desc;
  info.params = std::move(params);
  info.create = std::move(create);
  return info;
}

// Registers one layer type with one input; returns the stored entry for its hooks.
inline LayerInfo& addLayer(LayerRegistry& r, const char* className, const char* group,
                           const char* desc, std::vector<ParamSpec> params,
                           std::function<std::unique_ptr<Layer>(const json&)> create) {
  return r.add(layerInfo(className, group, desc, std::move(params), std::move(create)));
}

}  // namespace tessel::paramspec
