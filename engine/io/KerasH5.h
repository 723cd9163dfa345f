#pragma once
// Keras HDF5 files, read and written through Debian's libhdf5 (engine/io/KerasH5File.h):
//
// Keras 2 full model (`model.save("m.h5")`, tf.keras 2.x legacy/saving/legacy_h5_format.py):
//   root attrs   keras_version, backend (variable-length str), model_config, training_config
//                (JSON, fixed-length bytes; training_config only when compiled)
//   model_weights/             attrs layer_names (every layer of model.layers, InputLayers of a
//                              Functional model included), backend, keras_version
//   model_weights/<layer>/     attr weight_names ["<layer>/kernel:0", ...] (empty for a layer
//                              without weights); datasets at model_weights/<layer>/<weight name>,
//                              i.e. model_weights/dense/dense/kernel:0; the weight names'
//                              slashes make nested groups. Recurrent layers name their cell's
//                              scope: lstm/lstm_cell/kernel:0; Bidirectional lists the forward
//                              layer's weights, then the backward's:
//                              bidirectional/forward_lstm/lstm_cell/kernel:0 (tf.keras adds a
//                              counter, lstm_cell_1); TimeDistributed the inner layer's in its own
//                              scope: time_distributed/kernel:0. Keras 2 (and we) read a layer's
//                              weights by their order in weight_names, not by these names.
//   optimizer_weights/         attr weight_names ["Adam/iter:0", "Adam/dense/kernel/m:0", ...,
//                              "Adam/dense/kernel/v:0", ...] (optimizer_v2 get_weights() order:
//                              iterations, then each slot kind over every trainable variable;
//                              recurrent weights with their cell scope:
//                              "Adam/lstm/lstm_cell_1/kernel/m:0", read as "lstm/kernel/m")
// Keras 2 weights only (`save_weights("w.h5")`): the model_weights content at the root.
// Keras 3 weights (`save_weights("w.weights.h5")`, keras/src/saving/saving_lib.py H5IOStore):
//   vars/ (the model's own, empty), layers/<name>/vars/<i> where <name> is the snake_case CLASS
//   name of the layer, "_<n>" added for the n-th repeat in model.layers order (dense, dense_1,
//   input_layer, ...), <i> = 0, 1, ... trainable then non-trainable variables.
//
// Weights map to Model::namedWeights() names ("dense/kernel"), the variable names coming from our
// layers in Keras order; optimizer weights to TF.js names ("iter", "dense/kernel/m",
// engine/io/TfjsOptimizerWeights.h), whose slot names equal Keras 2's for Adam, SGD and RMSprop.
// Reading checks every layer's weight count and every shape against the model built from the
// config and names the layer and weight that does not fit; nothing partial is returned.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/graph/LayerOrder.h"
#include "engine/io/KerasH5File.h"
#include "engine/io/TfjsModel.h"

namespace tessel {

class Model;

// Keras 2 .h5 full model: spec (Keras 2 or 3 model_config), weights (by layer order, as
// load_model does), training_config and optimizer weights. Layers Tessel cannot build are listed
// by name (requireSupportedLayers). Throws Error.
ModelFile readKerasH5Model(const std::string& path);
// Writes a Keras 2 .h5 full model; optimizer weights are written when file.optimizerWeights is
// not empty, prefixed with the optimizer class of file.trainingConfig ("Adam/...").
void writeKerasH5Model(const std::string& path, const ModelFile& file);

enum class KerasWeightsLayout { Keras2, Keras3 };
// Weights only: Keras 2 layout (layer_names at the root) or Keras 3 (.weights.h5).
void writeKerasWeightsH5(const std::string& path, const ModelSpec& spec,
                         const NamedWeights& weights, KerasWeightsLayout layout);
// The Keras 3 weights file as bytes (the model.weights.h5 of a .keras archive). With
// `optimizerWeights` (TF.js names) of an Adam or SGD optimizer of `trainingConfig`, their state is
// written under optimizer/vars as Keras 3 keeps it (keras/src/optimizers/base_optimizer.py:
// "0" iteration (int64), "1" learning_rate, then per trainable variable in model order Adam's
// momentum and velocity interleaved, or SGD's momentum); other optimizers: none.
std::vector<std::uint8_t> keras3WeightsImage(const ModelSpec& spec, const NamedWeights& weights,
                                             const std::string& label,
                                             const NamedWeights& optimizerWeights = {},
                                             const json& trainingConfig = nullptr);
// The optimizer/vars of a Keras 3 weights file back as TF.js names ("iter", "dense/kernel/m",
// ...), for an Adam or SGD `trainingConfig`; empty when the file has none or the optimizer is
// another (Keras 3 orders other optimizers' slots differently across versions). Throws Error when
// the count or a shape does not fit.
NamedWeights readKeras3OptimizerWeights(const h5::H5Node& root, Model& model,
                                        const json& trainingConfig);

// How Keras 2 load_weights pairs the file's layers with the model's: ByOrder (the default: the
// layers that have weights, in order, counts must agree) or ByName (by_name=True: layers of the
// model absent from the file keep their values; every layer present must fit).
enum class WeightsMatch { ByOrder, ByName };

// The layout of an HDF5 weights file: Keras 2 (layer_names, at the root or in model_weights) or
// Keras 3 (layers/.../vars). Throws Error when it is neither.
KerasWeightsLayout kerasWeightsLayout(const h5::H5Node& root);

// Reads the weights of `root` (any layout above, a Keras 2 full model included) for `model`:
// every weight of the model by name, in Model::namedWeights() order; those not in the file (by
// name) are the model's current values. The model is not changed. Keras 3 files are matched by
// their structure (class-name paths) whatever `match` says, as Keras 3 does.
NamedWeights readKerasWeights(const h5::H5Node& root, Model& model, WeightsMatch match);
// The same from a file on disk.
NamedWeights readKerasWeightsFile(const std::string& path, Model& model, WeightsMatch match);

// Keras's naming.to_snake_case of a class name: "Conv2D" -> "conv2d", "InputLayer" ->
// "input_layer", "BatchNormalization" -> "batch_normalization".
std::string kerasSnakeCase(const std::string& className);

}  // namespace tessel
