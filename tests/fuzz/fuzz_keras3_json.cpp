// libFuzzer target: a Keras 3 `model.to_json()` topology or `.keras` config.json (any bytes):
// read, its compile_config converted, and written back in Keras 3 form. Anything but a clean
// tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_keras3_json/.
#include <cstdint>
#include <string>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/Keras3Json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const tessel::json j = tessel::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    (void)tessel::isKeras3Json(j);
    if (j.is_object() && j.contains("compile_config"))
      (void)tessel::trainingConfigFromCompileConfig(j["compile_config"]);
    tessel::ModelSpec spec = tessel::ModelSpec::fromKerasJson(j);
    if (!tessel::inferShapes(spec).ok()) return 0;
    const tessel::json back = tessel::toKeras3Json(spec);
    (void)tessel::ModelSpec::fromKerasJson(back);
    if (tessel::isSequentialStack(spec)) {
      tessel::Keras3JsonOptions options;
      options.sequential = true;
      (void)tessel::toKeras3Json(spec, options);
    }
  } catch (const tessel::Error&) {
  }
  return 0;
}
