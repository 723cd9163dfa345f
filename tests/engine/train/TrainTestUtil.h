#pragma once
// Small helpers for the train and callbacks tests: tiny Functional specs and data arrays.
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Model.h"

namespace tessel::test {

inline NodeSpec inputNode(const std::string& name, const Shape& dims) {
  json shape = json::array({nullptr});
  for (Index d : dims) shape.push_back(d);
  return {name, "InputLayer", {{"name", name}, {"batch_input_shape", shape}}, {}, {}};
}

inline NodeSpec denseNode(const std::string& name, int units, const std::string& input,
                          const std::string& activation = "linear") {
  return {
      name, "Dense", {{"name", name}, {"units", units}, {"activation", activation}}, {input}, {}};
}

inline NodeSpec node(const std::string& name, const std::string& cls,
                     const std::vector<std::string>& inputs, json config = json::object()) {
  config["name"] = name;
  return {name, cls, config, inputs, {}};
}

inline ModelSpec makeSpec(std::vector<NodeSpec> nodes, std::vector<std::string> inputs,
                          std::vector<std::string> outputs) {
  ModelSpec s;
  s.nodes = std::move(nodes);
  s.inputs = std::move(inputs);
  s.outputs = std::move(outputs);
  return s;
}

// x (n, 2) uniform in [-1, 1]; y = 2 x0 - 3 x1 + 0.5 (n, 1).
inline void linearData(Index n, Array& x, Array& y, std::uint64_t seed = 3) {
  Rng rng(seed);
  Tensor tx({n, 2}), ty({n, 1});
  for (Index i = 0; i < n; ++i) {
    tx[2 * i] = rng.uniform(-1, 1);
    tx[2 * i + 1] = rng.uniform(-1, 1);
    ty[i] = 2 * tx[2 * i] - 3 * tx[2 * i + 1] + 0.5f;
  }
  x = Array::fromTensor(tx);
  y = Array::fromTensor(ty);
}

inline json sgd(double lr) {
  return {{"class_name", "SGD"}, {"config", {{"learning_rate", lr}}}};
}

inline void setDense(Model& m, const std::string& layer, const std::vector<float>& kernel,
                     const std::vector<float>& bias) {
  auto& vars = m.layer(layer)->variables();
  vars[0].value = Tensor(vars[0].value.shape(), kernel);
  vars[1].value = Tensor(vars[1].value.shape(), bias);
}

inline bool allFinite(Model& m) {
  for (auto& [name, v] : m.namedWeights())
    for (Index i = 0; i < v->value.size(); ++i)
      if (!std::isfinite(v->value[i])) return false;
  return true;
}

}  // namespace tessel::test
