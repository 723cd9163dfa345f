// libFuzzer target: a TF.js weights manifest and its shard. The input is the manifest's JSON, a
// zero byte, then the bytes of the shard file "group1-shard1of1.bin" next to it; read as
// File > Load weights reads it. Anything but a clean tessel::Error is a finding.
// Seeds: tests/fuzz/corpus/fuzz_weights/.
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/core/Error.h"
#include "engine/io/TfjsModel.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const auto* zero = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
  const size_t manifestSize = zero ? static_cast<size_t>(zero - data) : size;
  const std::string manifest =
      tessel::fuzz::writeFuzzFile("weights_manifest.json", data, manifestSize);
  const size_t shardStart = zero ? manifestSize + 1 : size;
  tessel::fuzz::writeFuzzFile("group1-shard1of1.bin", data + shardStart, size - shardStart);
  try {
    tessel::ModelFile file = tessel::readWeightsFile(manifest);
    for (const auto& [name, tensor] : file.weights) (void)tensor.size();
  } catch (const tessel::Error&) {
  }
  return 0;
}
