// libFuzzer target: a Pascal VOC annotation (XML, any bytes). Anything but a clean tessel::Error
// is a finding. Seeds: tests/fuzz/corpus/fuzz_voc_xml/.
#include <cstdint>

#include "engine/core/Error.h"
#include "engine/data/BoxAnnotations.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string path = tessel::fuzz::writeFuzzFile("image.xml", data, size);
  try {
    (void)tessel::boxLabels({tessel::readVocXml(path)});
  } catch (const tessel::Error&) {
  }
  return 0;
}
