// libFuzzer target: a Keras 3 `.keras` archive (any bytes), written to model.keras (libzip reads a
// path) and read as File > Import and `tessel import` read it (readKerasArchive: the zip,
// config.json with its compile_config, model.weights.h5 through libhdf5 from memory, the
// optimizer state), the imported model built within a small parameter budget and given the
// weights; then read as a weights file for a fixed small model (File > Load weights). Anything but
// a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_keras_archive/
// (tests/fixtures/h5/*.keras and archives of our own writer, via make_seeds.py).
#include <cstdint>
#include <string>

#include "engine/io/KerasArchive.h"
#include "fuzz/FuzzKerasFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  return tessel::fuzz::fuzzKerasFile("model.keras", data, size, tessel::readKerasArchive,
                                     [](const std::string& path, tessel::Model& fixed) {
                                       return tessel::readAnyWeightsFile(path, fixed);
                                     });
}
