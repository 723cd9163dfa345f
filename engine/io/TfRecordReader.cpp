#include "engine/io/TfRecordReader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/io/Crc32c.h"

namespace tessel {

namespace {

constexpr size_t kBufferBytes = 64 << 10;
constexpr size_t kGrowBytes = 1 << 20;

std::uint64_t readLe64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint32_t readLe32(const unsigned char* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

}  // namespace

struct TfRecordReader::Impl {
  std::string name;
  std::FILE* file = nullptr;
  std::string memory;  // fromBytes: the whole input
  size_t memoryPos = 0;
  TfRecordCompression compression = TfRecordCompression::None;
  std::uint64_t maxRecord = kMaxRecordBytes;
  std::int64_t records = 0;
  // Raw (possibly compressed) input not yet consumed: raw[rawPos, rawEnd).
  std::unique_ptr<unsigned char[]> raw{new unsigned char[kBufferBytes]};
  size_t rawPos = 0, rawEnd = 0;
  bool rawEof = false;
  // Inflated bytes not yet consumed (compressed files): out[outPos, outEnd).
  std::unique_ptr<unsigned char[]> out;
  size_t outPos = 0, outEnd = 0;
  z_stream zs{};
  bool zInit = false, zEnd = false;

  ~Impl() {
    if (zInit) inflateEnd(&zs);
    if (file) std::fclose(file);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(name + ": record " + std::to_string(records) + ": " + what);
  }

  // Refills raw[]; false at the end of the input.
  bool fillRaw() {
    if (rawPos < rawEnd) return true;
    if (rawEof) return false;
    rawPos = 0;
    if (file) {
      rawEnd = std::fread(raw.get(), 1, kBufferBytes, file);
      if (rawEnd < kBufferBytes) {
        if (std::ferror(file)) fail(std::string("read error: ") + std::strerror(errno));
        rawEof = true;
      }
    } else {
      rawEnd = std::min(kBufferBytes, memory.size() - memoryPos);
      std::memcpy(raw.get(), memory.data() + memoryPos, rawEnd);
      memoryPos += rawEnd;
      if (memoryPos == memory.size()) rawEof = true;
    }
    return rawEnd > 0;
  }

  void startInflate() {
    out.reset(new unsigned char[kBufferBytes]);
    const int bits = compression == TfRecordCompression::Gzip ? 16 + MAX_WBITS : MAX_WBITS;
    if (inflateInit2(&zs, bits) != Z_OK) fail("cannot start zlib");
    zInit = true;
  }

  // Refills out[] by inflating; false at the end of the compressed stream(s).
  bool fillInflated() {
    outPos = outEnd = 0;
    while (outEnd == 0) {
      if (zEnd) {
        // Another gzip member may follow (concatenated files); only whitespace-free data counts.
        if (!fillRaw()) return false;
        if (inflateReset(&zs) != Z_OK) fail("cannot restart zlib");
        zEnd = false;
      }
      if (rawPos == rawEnd && !fillRaw())
        fail(std::string("the ") + tfRecordCompressionName(compression) +
             " stream ends early (truncated file)");
      zs.next_in = raw.get() + rawPos;
      zs.avail_in = static_cast<uInt>(rawEnd - rawPos);
      zs.next_out = out.get();
      zs.avail_out = static_cast<uInt>(kBufferBytes);
      const int rc = inflate(&zs, Z_NO_FLUSH);
      rawPos = rawEnd - zs.avail_in;
      outEnd = kBufferBytes - zs.avail_out;
      if (rc == Z_STREAM_END) {
        zEnd = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(std::string("damaged ") + tfRecordCompressionName(compression) + " data (" +
             (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
      }
    }
    return true;
  }

  // Reads up to n bytes of record stream into dst; returns how many (less only at the end).
  size_t read(unsigned char* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (compression == TfRecordCompression::None) {
        if (!fillRaw()) break;
        const size_t k = std::min(n - got, rawEnd - rawPos);
        std::memcpy(dst + got, raw.get() + rawPos, k);
        rawPos += k;
        got += k;
      } else {
        if (outPos == outEnd && !fillInflated()) break;
        const size_t k = std::min(n - got, outEnd - outPos);
        std::memcpy(dst + got, out.get() + outPos, k);
        outPos += k;
        got += k;
      }
    }
    return got;
  }

  void resolveCompression() {
    if (compression == TfRecordCompression::Auto) {
      fillRaw();
      const unsigned char* p = raw.get() + rawPos;
      const size_t have = rawEnd - rawPos;
      compression = TfRecordCompression::None;
      const bool header = have >= 12 && maskedCrc32c(p, 8) == readLe32(p + 8);
      if (!header && have >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        compression = TfRecordCompression::Gzip;
      else if (!header && have >= 2 && (p[0] & 0x0f) == 8 && (p[0] * 256 + p[1]) % 31 == 0)
        compression = TfRecordCompression::Zlib;
    }
    if (compression != TfRecordCompression::None) startInflate();
  }

  // The next record into `data` (or only checked when data is null).
  bool nextRecord(std::string* data) {
    unsigned char header[12];
    const size_t h = read(header, sizeof header);
    if (h == 0) return false;
    if (h < sizeof header)
      fail("truncated header (" + std::to_string(h) + " of 12 bytes before the end of the file)");
    const std::uint64_t length = readLe64(header);
    if (maskedCrc32c(header, 8) != readLe32(header + 8))
      fail("corrupt length (length CRC mismatch)");
    if (length > maxRecord)
      fail("length " + std::to_string(length) + " bytes is over the limit of " +
           std::to_string(maxRecord) + " bytes per record (TfRecordReader::kMaxRecordBytes)");
    std::string local;
    std::string& buf = data ? *data : local;
    buf.clear();
    std::uint64_t done = 0;
    while (done < length) {
      const size_t step = static_cast<size_t>(std::min<std::uint64_t>(kGrowBytes, length - done));
      buf.resize(static_cast<size_t>(done) + step);
      const size_t k = read(reinterpret_cast<unsigned char*>(buf.data()) + done, step);
      done += k;
      if (k < step)
        fail("truncated record: its length says " + std::to_string(length) +
             " bytes, the file ends after " + std::to_string(done));
    }
    unsigned char footer[4];
    if (read(footer, 4) < 4) fail("truncated record (its data CRC is missing)");
    if (maskedCrc32c(buf.data(), buf.size()) != readLe32(footer))
      fail("corrupt data (data CRC mismatch)");
    ++records;
    return true;
  }
};

TfRecordReader::TfRecordReader(const std::string& path, TfRecordCompression compression,
                               std::uint64_t maxRecordBytes)
    : d_(std::make_unique<Impl>()) {
  d_->name = path;
  d_->maxRecord = maxRecordBytes;
  d_->compression = compression;
  d_->file = std::fopen(path.c_str(), "rb");
  if (!d_->file) throw Error(path + ": cannot open: " + std::strerror(errno));
  d_->resolveCompression();
}

TfRecordReader TfRecordReader::fromBytes(std::string bytes, const std::string& name,
                                         TfRecordCompression compression,
                                         std::uint64_t maxRecordBytes) {
  TfRecordReader r;
  r.d_ = std::make_unique<Impl>();
  r.d_->name = name;
  r.d_->maxRecord = maxRecordBytes;
  r.d_->compression = compression;
  r.d_->memory = std::move(bytes);
  r.d_->resolveCompression();
  return r;
}

TfRecordReader::~TfRecordReader() = default;
TfRecordReader::TfRecordReader(TfRecordReader&&) noexcept = default;
TfRecordReader& TfRecordReader::operator=(TfRecordReader&&) noexcept = default;

bool TfRecordReader::next(std::string& record) {
  return d_->nextRecord(&record);
}

bool TfRecordReader::skip() {
  return d_->nextRecord(nullptr);
}

std::int64_t TfRecordReader::recordsRead() const {
  return d_->records;
}

const std::string& TfRecordReader::path() const {
  return d_->name;
}

TfRecordCompression TfRecordReader::compression() const {
  return d_->compression;
}

}  // namespace tessel
