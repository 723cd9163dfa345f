#pragma once
// Keras 3 `model.to_json()` topology of a ModelSpec. The spec itself is kept in Keras 2 / TF.js
// form (see ModelSpec.h); ModelSpec::fromKerasJson reads both forms, so
//   fromKerasJson(toKeras3Json(spec)) == spec
// for every spec read from Keras 2 / TF.js JSON.
//
// Keras 3 form written here (keras/src/models/functional.py get_config and
// keras/src/saving/serialization_lib.py):
//   {"module": "keras", "class_name": "Functional", "registered_name": "Functional",
//    "config": {"name", "trainable": true, "layers": [...], "input_layers": [["in", 0, 0], ...],
//               "output_layers": [["out", 0, 0], ...]}}
// every layer {"module": "keras.layers", "class_name", "config", "registered_name": null,
//   "build_config": {"input_shape": ...}, "name", "inbound_nodes": [{"args": [...],
//   "kwargs": {}}]}, call arguments as {"class_name": "__keras_tensor__", "config": {"shape",
//   "dtype", "keras_history": ["producer", 0, 0]}} (a list of them for merge layers), an
//   InputLayer's shape as "batch_shape", a layer dtype as a DTypePolicy object and nested
//   initializers / regularizers / constraints with their "module" and "registered_name".
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"

namespace tessel {

// Keras 3 topology of `spec`. Shapes in keras tensors and build_config come from inferShapes
// (null where a shape cannot be inferred).
json toKeras3Json(const ModelSpec& spec);

// True when `topology` (a bare topology or a model.json) is in Keras 3 form: a "module" key on
// the model or a layer, or a layer whose inbound node is an {"args", "kwargs"} object.
bool isKeras3Json(const json& topology);

// A Keras 3 "compile_config" (config.json of a .keras archive: {"optimizer", "loss", "metrics",
// "loss_weights", "weighted_metrics", ...}) as a Keras 2 training_config ({"optimizer_config",
// "loss", "metrics", "loss_weights", "weighted_metrics"}), nested "module" / "registered_name"
// keys dropped.
json trainingConfigFromCompileConfig(const json& compileConfig);

}  // namespace tessel
