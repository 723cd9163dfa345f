#pragma once
// Hand-written Keras 2 (tf.keras 2.11) `model.to_json()` texts used by the graph and io tests.
#include <string>

namespace tessel::test {

inline std::string denseConfig(const std::string& name, int units, const std::string& act) {
  return R"({"name": ")" + name + R"(", "trainable": true, "dtype": "float32", "units": )" +
         std::to_string(units) + R"(, "activation": ")" + act +
         R"(", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null})";
}

// Wide & deep (housing model): Input(8) -> Dense 30 relu -> Dense 30 relu,
// concatenate([input, hidden2]) -> Dense 1.
inline std::string wideDeepJson() {
  return R"({"class_name": "Functional", "config": {"name": "model", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense", 30, "relu") +
         R"(, "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense_1", 30, "relu") +
         R"(, "name": "dense_1", "inbound_nodes": [[["dense", 0, 0, {}]]]},
  {"class_name": "Concatenate", "config": {"name": "concatenate", "trainable": true, "dtype": "float32", "axis": -1}, "name": "concatenate", "inbound_nodes": [[["input_1", 0, 0, {}], ["dense_1", 0, 0, {}]]]},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense_2", 1, "linear") +
         R"(, "name": "dense_2", "inbound_nodes": [[["concatenate", 0, 0, {}]]]}
  ], "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_2", 0, 0]]},
  "keras_version": "2.11.0", "backend": "tensorflow"})";
}

// Keras 2.4+ Sequential: the InputLayer "flatten_input" is listed first.
inline std::string sequentialJson() {
  return R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 28, 28], "dtype": "float32", "sparse": false, "ragged": false, "name": "flatten_input"}},
  {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "batch_input_shape": [null, 28, 28], "dtype": "float32", "data_format": "channels_last"}},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense", 300, "relu") + R"(},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense_1", 10, "softmax") + R"(}
  ]}, "keras_version": "2.11.0", "backend": "tensorflow"})";
}

// Older Sequential (and TF.js): no InputLayer entry, the first layer carries batch_input_shape.
inline std::string sequentialNoInputJson() {
  return R"({"class_name": "Sequential", "config": {"name": "sequential_3", "layers": [
  {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "batch_input_shape": [null, 28, 28], "dtype": "float32", "data_format": "channels_last"}},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense", 300, "relu") + R"(},
  {"class_name": "Dense", "config": )" +
         denseConfig("dense_1", 10, "softmax") + R"(}
  ]}})";
}

}  // namespace tessel::test
