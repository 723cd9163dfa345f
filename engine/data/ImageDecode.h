#pragma once
// Decoding image files (PNG, JPEG, BMP, GIF first frame) with stb_image and resizing them with
// stb_image_resize (its default filters: Catmull-Rom up, Mitchell down; Keras's
// image_dataset_from_directory uses bilinear, so pixel values differ slightly from TF's).
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

struct DecodedImage {
  int height = 0, width = 0, channels = 0;
  std::vector<std::uint8_t> pixels;  // (height, width, channels) row-major
};

// Decodes `path` to `channels` (1 = grayscale, 3 = RGB; stb converts) and resizes it to
// height x width (no resize when it already has that size; 0 keeps the file's size). Throws Error
// "<path>: ..." when the file is missing, unreadable or not a decodable image.
DecodedImage decodeImageFile(const std::string& path, int channels, int height = 0, int width = 0);
// Same from bytes in memory; `name` is used in messages.
DecodedImage decodeImage(const std::uint8_t* data, std::size_t size, const std::string& name,
                         int channels, int height = 0, int width = 0);

// True for the extensions decodeImageFile handles (.png .jpg .jpeg .bmp .gif, any case).
bool isImageFileName(const std::string& name);

}  // namespace tessel
