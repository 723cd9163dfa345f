// libFuzzer target: a Keras HDF5 file (any bytes), written to model.h5 (libhdf5 reads a path) and
// read as File > Import and `tessel import` read it (readKerasH5Model: model_config,
// training_config, model_weights, optimizer_weights), the imported model built within a small
// parameter budget and given the weights; then read as a weights file for a fixed small model
// (File > Load weights: Keras 2 by order or by name, Keras 3 .weights.h5 by structure). Anything
// but a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_keras_h5/
// (tests/fixtures/h5/, via make_seeds.py).
#include <cstdint>
#include <string>

#include "engine/io/KerasH5.h"
#include "fuzz/FuzzKerasFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  return tessel::fuzz::fuzzKerasFile("model.h5", data, size, tessel::readKerasH5Model,
                                     [size](const std::string& path, tessel::Model& fixed) {
                                       const auto match = size % 2 ? tessel::WeightsMatch::ByName
                                                                   : tessel::WeightsMatch::ByOrder;
                                       return tessel::readKerasWeightsFile(path, fixed, match);
                                     });
}
