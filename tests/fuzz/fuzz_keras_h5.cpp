// libFuzzer target: a Keras HDF5 file (any bytes), written to model.h5 (libhdf5 reads a path) and
// read as File > Import and `tessel import` read it (readKerasH5Model: model_config,
// training_config, model_weights, optimizer_weights), the imported model built within a small
// parameter budget and given the weights; then read as a weights file for a fixed small model
// (File > Load weights: Keras 2 by order or by name, Keras 3 .weights.h5 by structure). Anything
// but a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_keras_h5/
// (tests/fixtures/h5/, via make_seeds.py).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/KerasH5.h"
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
  const std::string path = tessel::fuzz::writeFuzzFile("model.h5", data, size);
  // A budget the fuzzer's memory limit can hold; the real one is kMaxModelParameters.
  tessel::ParameterBudget budget(std::int64_t(1) << 22);
  try {
    tessel::ModelFile file = tessel::readKerasH5Model(path);
    tessel::Model model(file.spec, 0);
    model.loadNamedWeights(file.weights);
  } catch (const tessel::Error&) {
  }
  try {
    const auto match = size % 2 ? tessel::WeightsMatch::ByName : tessel::WeightsMatch::ByOrder;
    tessel::NamedWeights weights = tessel::readKerasWeightsFile(path, fixed, match);
    fixed.loadNamedWeights(weights);
  } catch (const tessel::Error&) {
  }
  return 0;
}
