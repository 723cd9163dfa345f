#pragma once
// Shared by the Keras file fuzz targets (fuzz_keras_h5, fuzz_keras_archive): the input written to
// a file named `name`, read as a model (File > Import: `readModel`), the model built within a
// small parameter budget and given its weights; then read as a weights file for a fixed small
// model (File > Load weights: `readWeights`). Reads happen in this process, not in the child of
// engine/io/IsolatedRead.h: the fuzzer needs the coverage. Anything but a clean tessel::Error is
// a finding.
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/Model.h"
#include "fuzz/FuzzFile.h"

namespace tessel::fuzz {

// The fixtures' MLP (tests/fixtures/h5/make_fixtures.py): 4 -> Dense(8, relu) -> Dense(3).
inline Model& fixedMlp() {
  static Model model(ModelSpec::fromKerasJson(json::parse(R"({
    "class_name": "Sequential", "config": {"name": "mlp", "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "x"}},
      {"class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "relu"}},
      {"class_name": "Dense", "config": {"name": "dense_1", "units": 3,
                                         "activation": "softmax"}}]}})")),
                     0);
  return model;
}

inline int fuzzKerasFile(
    const std::string& name, const std::uint8_t* data, std::size_t size,
    const std::function<ModelFile(const std::string&)>& readModel,
    const std::function<NamedWeights(const std::string&, Model&)>& readWeights) {
  static const int inProcess = setenv("TESSEL_READ_IN_PROCESS", "1", 1);
  (void)inProcess;
  Model& fixed = fixedMlp();
  const std::string path = writeFuzzFile(name, data, size);
  // A budget the fuzzer's memory limit can hold; the real one is kMaxModelParameters.
  ParameterBudget budget(std::int64_t(1) << 22);
  try {
    ModelFile file = readModel(path);
    Model model(file.spec, 0);
    model.loadNamedWeights(file.weights);
  } catch (const Error&) {
  }
  try {
    NamedWeights weights = readWeights(path, fixed);
    fixed.loadNamedWeights(weights);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace tessel::fuzz
