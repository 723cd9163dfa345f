#pragma once
// Reads the records of one TFRecord file (TfRecordFormat.h) in order, checking BOTH masked CRCs of
// every record. Uncompressed, GZIP (several members allowed) or ZLIB; with Auto the first bytes
// decide: a valid uncompressed record header wins, else the gzip magic 1f 8b, else a zlib header.
//
// Bad input is refused with an Error "<file>: record N: <what>" (N counts from 0, as
// TFRecordDataset's elements): a corrupt length or data CRC, a truncated header or record, a
// length above maxRecordBytes (default kMaxRecordBytes, 256 MiB: TensorFlow's limit is the
// stream's, ours is explicit), a damaged compressed stream. A record's buffer grows with the bytes
// that actually arrive (in 1 MiB steps), so a lying length never allocates more than the file
// holds; the reader itself holds two 64 KiB buffers (plus zlib's 32 KiB window).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "engine/io/TfRecordFormat.h"

namespace tessel {

class TfRecordReader {
 public:
  static constexpr std::uint64_t kMaxRecordBytes = 256ull << 20;

  // Opens `path`; throws Error when it cannot.
  explicit TfRecordReader(const std::string& path,
                          TfRecordCompression compression = TfRecordCompression::Auto,
                          std::uint64_t maxRecordBytes = kMaxRecordBytes);
  // Reads records from bytes in memory (`name` is used in messages; the bytes are copied).
  static TfRecordReader fromBytes(std::string bytes, const std::string& name,
                                  TfRecordCompression compression = TfRecordCompression::Auto,
                                  std::uint64_t maxRecordBytes = kMaxRecordBytes);
  ~TfRecordReader();
  TfRecordReader(TfRecordReader&&) noexcept;
  TfRecordReader& operator=(TfRecordReader&&) noexcept;

  // The next record's data into `record`; false at the end of the file (after a whole record).
  bool next(std::string& record);
  // Skips the next record (its CRCs are still checked); false at the end.
  bool skip();
  std::int64_t recordsRead() const;
  const std::string& path() const;
  // The compression in use (Auto resolved).
  TfRecordCompression compression() const;

 private:
  struct Impl;
  TfRecordReader() = default;
  std::unique_ptr<Impl> d_;
};

}  // namespace tessel
