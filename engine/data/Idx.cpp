#include "engine/data/Idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"

namespace tessel {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string hexByte(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
  return buf;
}

bool idxCodeToDType(unsigned code, DType& t) {
  switch (code) {
    case 0x08:
      t = DType::UInt8;
      return true;
    case 0x09:
      t = DType::Int8;
      return true;
    case 0x0B:
      t = DType::Int16;
      return true;
    case 0x0C:
      t = DType::Int32;
      return true;
    case 0x0D:
      t = DType::Float32;
      return true;
    case 0x0E:
      t = DType::Float64;
      return true;
    default:
      return false;
  }
}

int dtypeToIdxCode(DType t) {
  switch (t) {
    case DType::UInt8:
      return 0x08;
    case DType::Int8:
      return 0x09;
    case DType::Int16:
      return 0x0B;
    case DType::Int32:
      return 0x0C;
    case DType::Float32:
      return 0x0D;
    case DType::Float64:
      return 0x0E;
    default:
      return -1;
  }
}

// Reverses the bytes of each element of size es (big-endian <-> little-endian).
void swapBytes(std::uint8_t* p, size_t count, size_t es) {
  if (es == 1) return;
  for (size_t i = 0; i < count; ++i, p += es) std::reverse(p, p + es);
}

// A gzip (or plain, transparently) input file.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory");
    if (endsWith(path, ".gz")) {
      // gzread would read a non-gzip file transparently; a ".gz" that is not gzip is an error.
      std::ifstream in(path, std::ios::binary);
      unsigned char m[2] = {0, 0};
      in.read(reinterpret_cast<char*>(m), 2);
      if (in.gcount() < 2 || m[0] != 0x1f || m[1] != 0x8b)
        throw Error(path + ": not a gzip file (the name ends in .gz)");
    }
    f_ = gzopen(path.c_str(), "rb");
    if (!f_) throw Error(path + ": cannot open: " + std::strerror(errno));
    gzbuffer(f_, 1 << 18);
  }
  ~GzReader() {
    if (f_) gzclose(f_);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Refuses (before anything is allocated) to read `wanted` more bytes than the rest of the file
  // can hold: its remaining size when plain, the deflate bound when gzip-compressed.
  void checkCanHold(std::int64_t wanted, const std::string& what) const {
    std::error_code ec;
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path_, ec));
    if (ec) return;
    if (gzdirect(f_)) {
      const std::int64_t left = size - static_cast<std::int64_t>(gztell(f_));
      if (wanted > left)
        throw Error(path_ + ": truncated IDX data for " + what + ": expected " +
                    std::to_string(wanted) + " bytes, file has " + std::to_string(left));
    } else if (wanted / kMaxDeflateRatio > size) {
      throw Error(path_ + ": truncated IDX data for " + what + ": expected " +
                  std::to_string(wanted) + " bytes, more than a gzip file of " +
                  std::to_string(size) + " bytes can hold (deflate expands at most " +
                  std::to_string(kMaxDeflateRatio) + ":1)");
    }
  }

  // Reads up to n bytes; returns how many were read (fewer at end of file or a truncated
  // gzip stream). Throws on a corrupt stream.
  size_t read(std::uint8_t* dst, size_t n) {
    size_t total = 0;
    while (total < n) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - total, 1u << 30));
      int got = gzread(f_, dst + total, chunk);
      if (got < 0) {
        int err = Z_OK;
        const char* msg = gzerror(f_, &err);
        if (err == Z_BUF_ERROR) break;  // input ended in the middle of the gzip stream
        throw Error(path_ + ": corrupt gzip data (" + (msg ? msg : "unknown error") + ")");
      }
      if (got == 0) break;
      total += static_cast<size_t>(got);
    }
    return total;
  }

 private:
  std::string path_;
  gzFile f_ = nullptr;
};

IdxHeader readHeader(GzReader& in, const std::string& path) {
  std::uint8_t m[4];
  size_t got = in.read(m, 4);
  if (got < 4)
    throw Error(path + ": truncated IDX header (file has " + std::to_string(got) + " bytes)");
  if (m[0] != 0 || m[1] != 0)
    throw Error(path + ": bad IDX magic " + hexByte(m[0]) + hexByte(m[1]).substr(2) +
                hexByte(m[2]).substr(2) + hexByte(m[3]).substr(2) +
                " (expected 0x0000 followed by a type code)");
  IdxHeader h;
  if (!idxCodeToDType(m[2], h.dtype))
    throw Error(path + ": bad IDX magic: unknown data type code " + hexByte(m[2]));
  unsigned ndim = m[3];
  std::vector<std::uint8_t> dims(ndim * 4u);
  got = in.read(dims.data(), dims.size());
  if (got < dims.size())
    throw Error(path + ": truncated IDX header (" + std::to_string(ndim) + " dimensions need " +
                std::to_string(dims.size()) + " bytes, file has " + std::to_string(got) + ")");
  for (unsigned i = 0; i < ndim; ++i) {
    const std::uint8_t* d = dims.data() + 4 * i;
    std::uint32_t v = (std::uint32_t(d[0]) << 24) | (std::uint32_t(d[1]) << 16) |
                      (std::uint32_t(d[2]) << 8) | std::uint32_t(d[3]);
    h.shape.push_back(static_cast<Index>(v));
  }
  return h;
}

}  // namespace

IdxHeader readIdxHeader(const std::string& path) {
  GzReader in(path);
  return readHeader(in, path);
}

Array readIdx(const std::string& path, Index maxRows) {
  GzReader in(path);
  IdxHeader h = readHeader(in, path);
  Shape shape = h.shape;
  if (maxRows >= 0 && !shape.empty() && shape[0] > maxRows) shape[0] = maxRows;
  const size_t es = dtypeSize(h.dtype);
  // Hostile headers are refused before allocating: the data must fit the array limit and the file.
  const std::int64_t count = boundedProduct(shape, kMaxArrayBytes / static_cast<std::int64_t>(es));
  if (count < 0)
    throw Error(path + ": IDX header claims " + dtypeName(h.dtype) + " " + shapeToString(h.shape) +
                ", over the limit of " + byteSizeText(kMaxArrayBytes) + " for one array");
  const size_t expected = static_cast<size_t>(count) * es;
  in.checkCanHold(static_cast<std::int64_t>(expected),
                  dtypeName(h.dtype) + std::string(" ") + shapeToString(h.shape));
  std::vector<std::uint8_t> bytes(expected);
  size_t got = in.read(bytes.data(), expected);
  if (got < expected)
    throw Error(path + ": truncated IDX data for " + dtypeName(h.dtype) + " " +
                shapeToString(h.shape) + ": expected " + std::to_string(expected) +
                " bytes, file has " + std::to_string(got));
  swapBytes(bytes.data(), expected / es, es);
  return Array(h.dtype, std::move(shape), std::move(bytes));
}

void writeIdx(const std::string& path, const Array& array) {
  int code = dtypeToIdxCode(array.dtype());
  if (code < 0)
    throw Error(path + ": IDX cannot store dtype " + std::string(dtypeName(array.dtype())));
  const Shape& shape = array.shape();
  if (shape.size() > 255) throw Error(path + ": IDX cannot store more than 255 dimensions");
  std::vector<std::uint8_t> header = {0, 0, static_cast<std::uint8_t>(code),
                                      static_cast<std::uint8_t>(shape.size())};
  for (Index d : shape) {
    if (d < 0 || d > Index(std::numeric_limits<std::uint32_t>::max()))
      throw Error(path + ": IDX dimension " + std::to_string(d) + " out of range");
    std::uint32_t v = static_cast<std::uint32_t>(d);
    header.insert(header.end(), {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8),
                                 std::uint8_t(v)});
  }
  const size_t es = dtypeSize(array.dtype());
  const bool gz = endsWith(path, ".gz");
  gzFile gzf = nullptr;
  std::ofstream out;
  if (gz) {
    gzf = gzopen(path.c_str(), "wb6");
    if (!gzf) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  } else {
    out.open(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  }
  bool ok = true;
  auto write = [&](const std::uint8_t* p, size_t n) {
    if (!ok || n == 0) return;
    if (gz)
      ok = gzwrite(gzf, p, static_cast<unsigned>(n)) == static_cast<int>(n);
    else
      ok = static_cast<bool>(
          out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n)));
  };
  write(header.data(), header.size());
  // Data in big-endian, converted chunk by chunk.
  const size_t total = array.byteSize();
  const size_t chunk = (size_t(1) << 20) / es * es;
  std::vector<std::uint8_t> buf(std::min(total, chunk));
  for (size_t pos = 0; pos < total && ok; pos += chunk) {
    size_t n = std::min(chunk, total - pos);
    std::memcpy(buf.data(), array.bytes() + pos, n);
    swapBytes(buf.data(), n / es, es);
    write(buf.data(), n);
  }
  if (gz) {
    if (gzclose(gzf) != Z_OK) ok = false;
  } else {
    out.close();
    if (!out) ok = false;
  }
  if (!ok) throw Error(path + ": write failed");
}

}  // namespace tessel
