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
// On request: the Keras 3 Sequential form (a linear stack) and the "compile_config" of a compiled
// model (see Keras3JsonOptions); the reader side (ModelSpec::fromKerasJson, parseModelJson)
// accepts Keras 2 and Keras 3 forms of both.
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"

namespace tessel {

struct Keras3JsonOptions {
  // Write a Keras 3 Sequential (keras/src/models/sequential.py get_config): "layers" starts with
  // the InputLayer entry ({"batch_shape", "dtype", "sparse", "name"}), the next layer carries no
  // batch_input_shape, layer entries have "build_config" but no "name" / "inbound_nodes", the
  // config ends with "build_input_shape", the model gets "build_config" {"input_shape"}. The spec
  // must be a linear stack (isSequentialStack); Error otherwise.
  bool sequential = false;
  // A Keras 2 training_config ({"optimizer_config", "loss", "metrics", "loss_weights",
  // "weighted_metrics"}, CompileOptions::toTrainingConfig()); when not null it is written as the
  // Keras 3 "compile_config" next to "config" (keras/src/trainers/trainer.py compile(): optimizer,
  // loss, loss_weights, metrics, weighted_metrics, run_eagerly, steps_per_execution, jit_compile).
  json trainingConfig = nullptr;
};

// Keras 3 topology of `spec`. Shapes in keras tensors and build_config come from inferShapes
// (null where a shape cannot be inferred).
json toKeras3Json(const ModelSpec& spec, const Keras3JsonOptions& options = {});

// True when the spec is a Sequential stack: one InputLayer first, every other node fed by the one
// before it, the last node the only output.
bool isSequentialStack(const ModelSpec& spec);

// A Keras 2 training_config as a Keras 3 compile_config: optimizer {"module": "keras.optimizers",
// "class_name", "config", "registered_name": null} with the Keras-2-only config keys
// (jit_compile, is_legacy_optimizer, decay) dropped and Keras 3's loss_scale_factor /
// gradient_accumulation_steps added as null; loss / metric objects get "module" "keras.losses" /
// "keras.metrics"; run_eagerly false, steps_per_execution 1, jit_compile false.
json compileConfigFromTrainingConfig(const json& trainingConfig);

// True when `topology` (a bare topology or a model.json) is in Keras 3 form: a "module" key on
// the model or a layer, or a layer whose inbound node is an {"args", "kwargs"} object.
bool isKeras3Json(const json& topology);

// A Keras 3 "compile_config" (config.json of a .keras archive: {"optimizer", "loss", "metrics",
// "loss_weights", "weighted_metrics", ...}) as a Keras 2 training_config ({"optimizer_config",
// "loss", "metrics", "loss_weights", "weighted_metrics"}), nested "module" / "registered_name"
// keys dropped, the Keras-3-only optimizer keys loss_scale_factor / gradient_accumulation_steps
// dropped when null.
json trainingConfigFromCompileConfig(const json& compileConfig);

}  // namespace tessel
