// ONNX hooks of the preprocessing layers that act at inference: Rescaling (x * scale + offset)
// and Normalization ((x - mean) / std, or its inverse). The Random* augmentation layers are the
// identity at inference (LayerInfo::identityAtInference).
#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

void rescaling(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  std::string m = b.fresh(name + "/scaled");
  const std::string x = b.keras(n.input(0));
  b.node("Mul", {x, b.scalar(name + "/scale", n.config.at("scale").get<float>())}, m,
         name + "/scale");
  b.node("Add", {m, b.scalar(name + "/offset", n.config.at("offset").get<float>())}, n.out, name);
  b.setKeras(name, n.out);
}

namespace {

std::vector<float> floats(const json& v) {
  std::vector<float> o;
  if (v.is_number()) o.push_back(v.get<float>());
  if (v.is_array())
    for (const auto& e : v) o.push_back(e.get<float>());
  return o;
}

}  // namespace

// Statistics from the adapted weights, else from the config's mean and variance.
void normalization(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  std::vector<float> mean, var;
  if (b.hasWeight(name, "mean") && b.hasWeight(name, "variance")) {
    mean = b.weight(name, "mean").toVector();
    var = b.weight(name, "variance").toVector();
  } else {
    mean = floats(n.config.at("mean"));
    var = floats(n.config.at("variance"));
  }
  if (mean.empty() || mean.size() != var.size())
    throw Error("ONNX export: Normalization '" + name + "' has no mean/variance");
  Index k = static_cast<Index>(mean.size());
  std::vector<float> inv(var.size());
  for (size_t i = 0; i < var.size(); ++i)
    inv[i] = 1.0f / std::max(std::sqrt(var[i]), 1e-7f);  // Keras: sqrt(var) floored at epsilon
  std::string d = b.fresh(name + "/centered");
  Shape dims = {k};
  if (k == 1) dims = {};
  const std::string x = b.keras(n.input(0));
  if (n.config.at("invert")) {  // x * std + mean
    std::vector<float> sd(var.size());
    for (size_t i = 0; i < var.size(); ++i) sd[i] = 1.0f / inv[i];
    b.node("Mul", {x, b.floatInit(name + "/std", dims, sd)}, d, name + "/std");
    b.node("Add", {d, b.floatInit(name + "/mean", dims, mean)}, n.out, name);
  } else {
    b.node("Sub", {x, b.floatInit(name + "/mean", dims, mean)}, d, name + "/mean");
    b.node("Mul", {d, b.floatInit(name + "/inv_std", dims, inv)}, n.out, name);
  }
  b.setKeras(name, n.out);
}

}  // namespace tessel::onnxexport
