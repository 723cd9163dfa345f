#include "engine/io/TfRecordWriter.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "engine/core/Error.h"
#include "engine/io/Crc32c.h"

namespace tessel {

struct TfRecordWriter::Deflate {
  z_stream zs{};
  std::vector<unsigned char> out = std::vector<unsigned char>(64 << 10);
  ~Deflate() { deflateEnd(&zs); }
};

TfRecordWriter::TfRecordWriter(const std::string& path, TfRecordCompression compression)
    : path_(path),
      compression_(compression == TfRecordCompression::Auto ? TfRecordCompression::None
                                                            : compression) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw Error(path + ": cannot create: " + std::strerror(errno));
  if (compression_ != TfRecordCompression::None) {
    z_ = std::make_unique<Deflate>();
    const int bits = compression_ == TfRecordCompression::Gzip ? 16 + MAX_WBITS : MAX_WBITS;
    if (deflateInit2(&z_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      std::fclose(file_);
      file_ = nullptr;
      throw Error(path + ": cannot start zlib");
    }
  }
}

TfRecordWriter::~TfRecordWriter() {
  try {
    close();
  } catch (const Error&) {
  }
}

void TfRecordWriter::put(const void* data, std::size_t size, bool finish) {
  if (!z_) {
    if (size && std::fwrite(data, 1, size, file_) != size)
      throw Error(path_ + ": write failed: " + std::strerror(errno));
    return;
  }
  z_stream& zs = z_->zs;
  zs.next_in = static_cast<Bytef*>(const_cast<void*>(data));
  zs.avail_in = static_cast<uInt>(size);
  int rc = Z_OK;
  do {
    zs.next_out = z_->out.data();
    zs.avail_out = static_cast<uInt>(z_->out.size());
    rc = deflate(&zs, finish ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) throw Error(path_ + ": zlib compression failed");
    const size_t have = z_->out.size() - zs.avail_out;
    if (have && std::fwrite(z_->out.data(), 1, have, file_) != have)
      throw Error(path_ + ": write failed: " + std::strerror(errno));
  } while (zs.avail_out == 0 || (finish && rc != Z_STREAM_END));
}

void TfRecordWriter::write(const void* data, std::size_t size) {
  if (!file_) throw Error(path_ + ": the TFRecord writer is closed");
  unsigned char header[12], footer[4];
  const std::uint64_t length = size;
  for (int i = 0; i < 8; ++i) header[i] = static_cast<unsigned char>(length >> (8 * i));
  const std::uint32_t lengthCrc = maskedCrc32c(header, 8);
  const std::uint32_t dataCrc = maskedCrc32c(data, size);
  for (int i = 0; i < 4; ++i) {
    header[8 + i] = static_cast<unsigned char>(lengthCrc >> (8 * i));
    footer[i] = static_cast<unsigned char>(dataCrc >> (8 * i));
  }
  put(header, sizeof header);
  put(data, size);
  put(footer, sizeof footer);
  ++records_;
}

void TfRecordWriter::close() {
  if (!file_) return;
  std::FILE* f = file_;
  try {
    if (z_) put(nullptr, 0, true);
  } catch (...) {
    file_ = nullptr;
    std::fclose(f);
    throw;
  }
  file_ = nullptr;
  z_.reset();
  if (std::fclose(f) != 0) throw Error(path_ + ": close failed: " + std::strerror(errno));
}

}  // namespace tessel
