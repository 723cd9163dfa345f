// libFuzzer target: an IDX file, plain or gzip-compressed (any bytes), read whole and limited to
// two rows as the data dialog's preview does. Anything but a clean tessel::Error is a finding.
// Seeds: tests/fuzz/corpus/fuzz_idx/.
#include <cstdint>

#include "engine/core/Error.h"
#include "engine/data/Idx.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string path = tessel::fuzz::writeFuzzFile("fuzz.idx", data, size);
  try {
    (void)tessel::readIdxHeader(path);
    (void)tessel::readIdx(path, 2);
    (void)tessel::readIdx(path);
  } catch (const tessel::Error&) {
  }
  return 0;
}
