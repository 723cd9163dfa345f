#include "engine/data/ImageDecode.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "engine/core/Error.h"

namespace tessel {

bool isImageFileName(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "gif";
}

DecodedImage decodeImage(const std::uint8_t* data, std::size_t size, const std::string& name,
                         int channels, int height, int width) {
  if (channels != 1 && channels != 3)
    throw Error(name + ": images are decoded to 1 (grayscale) or 3 (RGB) channels, not " +
                std::to_string(channels));
  if (height < 0 || width < 0) throw Error(name + ": negative image size requested");
  if (size == 0) throw Error(name + ": empty file, not an image");
  int w = 0, h = 0, n = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> px(
      stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &n, channels), stbi_image_free);
  if (!px) {
    const char* why = stbi_failure_reason();
    throw Error(name + ": cannot decode image (" + (why ? why : "unknown format") + ")");
  }
  DecodedImage img;
  img.channels = channels;
  img.height = height > 0 ? height : h;
  img.width = width > 0 ? width : w;
  img.pixels.resize(static_cast<size_t>(img.height) * img.width * channels);
  if (img.height == h && img.width == w) {
    std::memcpy(img.pixels.data(), px.get(), img.pixels.size());
  } else if (!stbir_resize_uint8(px.get(), w, h, 0, img.pixels.data(), img.width, img.height, 0,
                                 channels)) {
    throw Error(name + ": cannot resize image to " + std::to_string(img.height) + "x" +
                std::to_string(img.width));
  }
  return img;
}

DecodedImage decodeImageFile(const std::string& path, int channels, int height, int width) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path + ": no such image file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  return decodeImage(bytes.data(), bytes.size(), path, channels, height, width);
}

}  // namespace tessel
