#pragma once
// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py save_model), through Debian's libzip:
// a zip (stored, as Python's zipfile writes it) holding
//   metadata.json     {"keras_version": "3.x", "date_saved": "YYYY-MM-DD@HH:MM:SS"}
//   config.json       serialize_keras_object(model): the Keras 3 topology (engine/io/Keras3Json.h)
//                     with "compile_config" when the model was compiled
//   model.weights.h5  the Keras 3 weights layout (layers/<snake class>/vars/<i>, KerasH5.h)
// Written here: the same three members; the optimizer state is not written into .keras (Keras 3
// keeps it under optimizer/vars in a version-dependent order; use .h5 to keep it).
//
// And the dispatch every caller uses: a model file of any format we read or write, told by its
// content (zip, HDF5 signature) or, for writing, by its name.
#include <string>

#include "engine/io/KerasH5.h"
#include "engine/io/TfjsModel.h"

namespace tessel {

class Model;

// Throws Error: not a zip, no config.json (names the members found), no model.weights.h5, bad
// JSON, layers Tessel cannot build (listed by name), weights not fitting the config (layer and
// weight named). Nothing partial is returned.
ModelFile readKerasArchive(const std::string& path);
// Writes `file` as a .keras archive (a temporary next to `path`, then renamed).
void writeKerasArchive(const std::string& path, const ModelFile& file);

// True for a file that is a zip or HDF5 by its first bytes, or named *.keras / *.h5 / *.hdf5.
bool isKerasFile(const std::string& path);

// A model file of any format: .keras zip, Keras 2 .h5 (model_config), else a Keras / TF.js
// model.json (readModelFile).
ModelFile readAnyModelFile(const std::string& path);

// The weights of a weights file for `model` (Keras load_weights): a .keras archive, a Keras 2 or
// Keras 3 HDF5 weights file (KerasH5.h readKerasWeights, `match` for Keras 2 files), or a TF.js
// model.json / weights manifest (by name). Every weight of the model by name, model order.
// Throws Error naming what does not fit; the model is not changed.
NamedWeights readAnyWeightsFile(const std::string& path, Model& model,
                                WeightsMatch match = WeightsMatch::ByOrder);

enum class KerasFileFormat {
  Keras,         // .keras archive
  H5,            // Keras 2 full model .h5 (with optimizer state when given)
  WeightsH5,     // Keras 3 .weights.h5
  Keras2Weights  // Keras 2 save_weights .h5
};
// "keras", "h5", "weights-h5", "keras2-weights-h5"; throws Error for anything else.
KerasFileFormat kerasFileFormat(const std::string& name);
// From a file name: *.keras, *.weights.h5, *.h5 / *.hdf5 (full model); nullopt-like: throws.
KerasFileFormat kerasFileFormatForPath(const std::string& path);
void writeKerasFile(const std::string& path, KerasFileFormat format, const ModelFile& file);

}  // namespace tessel
