// libFuzzer target: an image file (PNG, JPEG, BMP, GIF; any bytes) decoded with stb as the image
// folders and `tessel predict --image` decode it. The first byte chooses grayscale or RGB and a
// target size (0: the file's own); the rest is the file. Anything but a clean tessel::Error is
// a finding. Seeds: tests/fuzz/corpus/fuzz_image_decode/.
#include <cstdint>

#include "engine/core/Error.h"
#include "engine/data/ImageDecode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int channels = (data[0] & 1) ? 3 : 1;
  const int side = (data[0] >> 1) & 31;  // 0 keeps the size, else resize to side x side
  try {
    tessel::DecodedImage img =
        tessel::decodeImage(data + 1, size - 1, "fuzz", channels, side, side);
    (void)img.pixels.size();
  } catch (const tessel::Error&) {
  }
  return 0;
}
