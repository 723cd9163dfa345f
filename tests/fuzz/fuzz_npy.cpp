// libFuzzer target: a NumPy .npy file (any bytes), decoded as `tessel train --x` and the project
// file's arrays are. Anything but a clean tessel::Error is a finding.
// Seeds: tests/fuzz/corpus/fuzz_npy/.
#include <cstdint>

#include "engine/core/Error.h"
#include "engine/data/Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  try {
    tessel::Array a = tessel::decodeNpy(data, size, "fuzz.npy");
    (void)tessel::encodeNpy(a);
  } catch (const tessel::Error&) {
  }
  return 0;
}
