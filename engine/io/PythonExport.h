#pragma once
// A runnable Python (TensorFlow 2 / Keras) training script for a ModelSpec: the Functional model
// code (one named variable and one layer per line, only non-default arguments), compile settings
// from the training_config, the data loading for the data set the model was trained on,
// callbacks, and a tf.distribute.MirroredStrategy scope.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

struct PythonExportOptions {
  // "fashion-mnist" (keras.datasets, split and scaling), "npy" (xFiles / yFiles), or
  // "" (unknown: the script loads x.npy / y.npy and says so).
  std::string dataSet;
  std::vector<std::string> xFiles, yFiles;  // one per model input / output
  int epochs = 10;
  int batchSize = 32;
  double validationSplit = 0;
  int earlyStoppingPatience = -1;  // < 0: no EarlyStopping callback
  std::string csvLog;              // CSVLogger file, "" for none
  std::string source;              // where the model came from, for the docstring
};

// Throws Error when the spec is invalid (the first shape error) or a layer has no Keras
// equivalent the script could name.
std::string pythonScript(const ModelSpec& spec, const json& trainingConfig,
                         const PythonExportOptions& options);

// One layer's constructor call as build_model() writes it: layers.Dense(10, name="out"), only
// non-default arguments (wrappers write their wrapped layer with it).
std::string pythonLayerCall(const NodeSpec& node);

// "dense_1" -> a Python identifier that is not a keyword (and not "keras", "layers", "tf", "np").
std::string pythonIdentifier(const std::string& name);
// A JSON value as a Python literal: true -> True, null -> None, lists -> lists, objects -> dicts.
std::string pythonLiteral(const json& v);

}  // namespace tessel
