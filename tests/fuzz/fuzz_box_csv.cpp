// libFuzzer target: a bounding-box CSV (filename, y_min, x_min, y_max, x_max, label; any bytes).
// Anything but a clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_box_csv/.
#include <cstdint>

#include "engine/core/Error.h"
#include "engine/data/BoxAnnotations.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string path = tessel::fuzz::writeFuzzFile("boxes.csv", data, size);
  try {
    (void)tessel::boxLabels(tessel::readBoxCsv(path));
  } catch (const tessel::Error&) {
  }
  return 0;
}
