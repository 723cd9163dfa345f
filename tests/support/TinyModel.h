// A tiny regression model and its data, shared by the training tests (engine and UI): engine-only
// includes, so the Qt-free engine tests can use it too.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/store/Project.h"
#include "engine/train/FitOptions.h"

namespace tessel::testutil {

// Input(3) -> Dense(hidden, tanh) -> Dense(1), as Keras's model.to_json() writes it.
inline json tinyTopology(int hidden = 8, const std::string& name = "tiny") {
  return {{"class_name", "Functional"},
          {"config",
           {{"name", name},
            {"layers",
             {{{"class_name", "InputLayer"},
               {"name", "input_1"},
               {"config", {{"name", "input_1"}, {"batch_input_shape", {nullptr, 3}}}},
               {"inbound_nodes", json::array()}},
              {{"class_name", "Dense"},
               {"name", "dense"},
               {"config", {{"name", "dense"}, {"units", hidden}, {"activation", "tanh"}}},
               {"inbound_nodes", {{{"input_1", 0, 0, json::object()}}}}},
              {{"class_name", "Dense"},
               {"name", "dense_1"},
               {"config", {{"name", "dense_1"}, {"units", 1}}},
               {"inbound_nodes", {{{"dense", 0, 0, json::object()}}}}}}},
            {"input_layers", {{"input_1", 0, 0}}},
            {"output_layers", {{"dense_1", 0, 0}}}}}};
}

// x (n, 3) uniform in [-1, 1] from Rng(seed); y (n, 1) = 0.5 x0 - 0.25 x1 + square x2^2 + 0.1.
inline Dataset tinyData(Index n = 256, std::uint64_t seed = 7, float square = 1.0f) {
  Array x(DType::Float32, {n, 3}), y(DType::Float32, {n, 1});
  auto* xp = reinterpret_cast<float*>(x.bytes());
  auto* yp = reinterpret_cast<float*>(y.bytes());
  Rng rng(seed);
  for (Index i = 0; i < n; ++i) {
    for (int j = 0; j < 3; ++j) xp[i * 3 + j] = rng.uniform(-1, 1);
    yp[i] =
        0.5f * xp[i * 3] - 0.25f * xp[i * 3 + 1] + square * xp[i * 3 + 2] * xp[i * 3 + 2] + 0.1f;
  }
  Dataset d;
  d.x.push_back(x);
  d.y.push_back(y);
  return d;
}

// Creates a project file at `path` holding tinyTopology() as model "tiny"; returns its model id.
inline std::int64_t createTinyProject(const std::string& path) {
  auto project = Project::create(path);
  return project.addModel("tiny", tinyTopology());
}

}  // namespace tessel::testutil
