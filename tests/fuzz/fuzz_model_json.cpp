// libFuzzer target: a Keras 2 / TF.js model.json (any bytes) read as `tessel import` reads it,
// its shapes inferred, its summary printed and the model built within a small parameter budget.
// Anything but a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_model_json/.
#include <cstdint>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/Model.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const tessel::json j = tessel::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    // Weight shards are looked up in an empty folder: the manifest's paths are exercised too.
    tessel::ModelFile file = tessel::parseModelJson(j, tessel::fuzz::fuzzDir().string());
    if (!tessel::inferShapes(file.spec).ok()) return 0;
    // A budget the fuzzer's memory limit can hold; the real one is kMaxModelParameters.
    tessel::ParameterBudget budget(std::int64_t(1) << 22);
    (void)tessel::summaryTable(file.spec);
    tessel::Model model(file.spec, 0);
    (void)model.parameterCount();
  } catch (const tessel::Error&) {
  }
  return 0;
}
