// libFuzzer target: a Keras 3 `.keras` archive (any bytes), written to model.keras (libzip reads a
// path) and read as File > Import and `tessel import` read it (readKerasArchive: the zip,
// config.json with its compile_config, model.weights.h5 through libhdf5 from memory, the
// optimizer state), the imported model built within a small parameter budget and given the
// weights; then read as a weights file for a fixed small model (File > Load weights). Anything but
// a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_keras_archive/
// (tests/fixtures/h5/*.keras and archives of our own writer, via make_seeds.py).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/KerasArchive.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/Model.h"
#include "fuzz/FuzzFile.h"

namespace {

// The fixtures' MLP (tests/fixtures/h5/make_fixtures.py): 4 -> Dense(8, relu) -> Dense(3).
tessel::Model& fixedModel() {
  static tessel::Model model(tessel::ModelSpec::fromKerasJson(tessel::json::parse(R"({
    "class_name": "Sequential", "config": {"name": "mlp", "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "x"}},
      {"class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "relu"}},
      {"class_name": "Dense", "config": {"name": "dense_1", "units": 3,
                                         "activation": "softmax"}}]}})")),
                             0);
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  // Read in this process, not in a child (engine/io/IsolatedRead.h): the fuzzer needs the coverage.
  static const int inProcess = setenv("TESSEL_READ_IN_PROCESS", "1", 1);
  (void)inProcess;
  tessel::Model& fixed = fixedModel();
  const std::string path = tessel::fuzz::writeFuzzFile("model.keras", data, size);
  // A budget the fuzzer's memory limit can hold; the real one is kMaxModelParameters.
  tessel::ParameterBudget budget(std::int64_t(1) << 22);
  try {
    tessel::ModelFile file = tessel::readKerasArchive(path);
    tessel::Model model(file.spec, 0);
    model.loadNamedWeights(file.weights);
  } catch (const tessel::Error&) {
  }
  try {
    tessel::NamedWeights weights = tessel::readAnyWeightsFile(path, fixed);
    fixed.loadNamedWeights(weights);
  } catch (const tessel::Error&) {
  }
  return 0;
}
