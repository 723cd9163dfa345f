// libFuzzer target: an ONNX model (any bytes) read as `tessel import PROJECT x.onnx` and the
// studio's File > Import read it (engine/io/OnnxImport.h), the imported model built within a
// small parameter budget. Anything but a clean tessel::Error is a finding.
// Seeds: tests/fuzz/corpus/fuzz_onnx_import/ (tests/fixtures/onnx/, via make_seeds.py).
#include <cstdint>
#include <string>

#include "engine/core/Error.h"
#include "engine/io/OnnxImport.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/Model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    // A budget the fuzzer's memory limit can hold; the real one is kMaxModelParameters.
    tessel::ParameterBudget budget(std::int64_t(1) << 22);
    tessel::ModelFile file = tessel::onnxModelFromBytes(bytes);
    tessel::Model model(file.spec, 0);
    model.loadNamedWeights(file.weights);
  } catch (const tessel::Error&) {
  }
  return 0;
}
