#include "engine/data/ImageDecode.h"

#include <fcntl.h>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"

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
  if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error(name + ": image file over the limit of 2 GiB");
  if (static_cast<std::int64_t>(height) * width > kMaxImagePixels)
    throw Error(name + ": requested size " + std::to_string(height) + "x" + std::to_string(width) +
                " is over the limit of " + countText(kMaxImagePixels) + " pixels");
  int w = 0, h = 0, n = 0;
  // The header's size is checked before stb allocates the pixels (a PNG's IHDR is read here:
  // stb's own check of it only says "too large").
  static const std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size >= 24 && std::memcmp(data, kPng, 8) == 0 && std::memcmp(data + 12, "IHDR", 4) == 0) {
    auto be32 = [&](std::size_t at) {
      return std::int64_t(data[at]) << 24 | std::int64_t(data[at + 1]) << 16 |
             std::int64_t(data[at + 2]) << 8 | std::int64_t(data[at + 3]);
    };
    const std::int64_t pngWidth = be32(16), pngHeight = be32(20);  // each < 2^32
    if (pngWidth > kMaxImagePixels || pngHeight > kMaxImagePixels ||
        pngWidth * pngHeight > kMaxImagePixels)
      throw Error(name + ": image of " + std::to_string(be32(16)) + "x" + std::to_string(be32(20)) +
                  " pixels is over the limit of " + countText(kMaxImagePixels) + " pixels");
    // Every chunk must fit in the file: stb grows its IDAT buffer to a chunk's claimed length
    // before it reads the bytes (a 77-byte file claiming a 1.9 GB IDAT allocated 1.9 GB).
    for (std::size_t at = 8; at + 8 <= size;) {
      const std::int64_t length = be32(at);
      const std::string type(reinterpret_cast<const char*>(data + at + 4), 4);
      const std::int64_t left = static_cast<std::int64_t>(size - at) - 12;
      if (length > left)
        throw Error(name + ": PNG chunk '" + type + "' at byte " + std::to_string(at) + " claims " +
                    countText(length) + " bytes, the file has " +
                    countText(std::max<std::int64_t>(left, 0)) +
                    " left: truncated or hostile file");
      if (type == "IEND") break;
      at += static_cast<std::size_t>(length) + 12;
    }
  }
  if (stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &n)) {
    const std::int64_t pixels = static_cast<std::int64_t>(w) * h;
    if (pixels > kMaxImagePixels)
      throw Error(name + ": image of " + std::to_string(w) + "x" + std::to_string(h) +
                  " pixels is over the limit of " + countText(kMaxImagePixels) + " pixels");
    // stb allocates the whole image before it finds the compressed data too short for it.
    if (pixels > static_cast<std::int64_t>(size) * kMaxImagePixelsPerFileByte)
      throw Error(name + ": image of " + std::to_string(w) + "x" + std::to_string(h) +
                  " pixels cannot come from a file of " +
                  countText(static_cast<std::int64_t>(size)) + " bytes (the limit is " +
                  countText(kMaxImagePixelsPerFileByte) +
                  " pixels per byte): truncated or hostile file");
  }
  std::unique_ptr<stbi_uc, void (*)(void*)> px(
      stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &n, channels), stbi_image_free);
  if (!px) {
    const char* why = stbi_failure_reason();
    throw Error(name + ": cannot decode image (" + (why ? why : "unknown format") + ")");
  }
  // stb returns a buffer for a PNM header of width or height 0 (fuzz_image_decode).
  if (w <= 0 || h <= 0)
    throw Error(name + ": image of " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels has no pixels");
  DecodedImage img;
  img.channels = channels;
  img.height = height > 0 ? height : h;
  img.width = width > 0 ? width : w;
  const size_t bytes = static_cast<size_t>(img.height) * img.width * channels;
  if (img.height == h && img.width == w) {
    img.pixels.assign(px.get(), px.get() + bytes);  // one copy, no zero fill first
    return img;
  }
  img.pixels.resize(bytes);
  if (!stbir_resize_uint8(px.get(), w, h, 0, img.pixels.data(), img.width, img.height, 0, channels))
    throw Error(name + ": cannot resize image to " + std::to_string(img.height) + "x" +
                std::to_string(img.width));
  return img;
}

DecodedImage decodeImageFile(const std::string& path, int channels, int height, int width) {
  // One open, one fstat and one read into a buffer this thread reuses: an image folder's epoch
  // opens every file, and a path lookup (stat) plus a byte-wise stream copy cost more than
  // decoding a small PNG.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw Error(path + ": no such image file");
    throw Error(path + ": cannot open: " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw Error(path + ": no such image file");
  if (st.st_size > std::numeric_limits<int>::max())
    throw Error(path + ": image file over the limit of 2 GiB");
  thread_local std::vector<std::uint8_t> bytes;
  // Read to the end (the size is a hint: a file may change while it is read).
  bytes.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  for (;;) {
    if (got == bytes.size()) {
      if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        throw Error(path + ": image file over the limit of 2 GiB");
      bytes.resize(bytes.size() * 2);
    }
    const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": cannot read: " + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  DecodedImage img = decodeImage(bytes.data(), got, path, channels, height, width);
  if (bytes.capacity() > (std::size_t(1) << 24)) std::vector<std::uint8_t>().swap(bytes);
  return img;
}

}  // namespace tessel
