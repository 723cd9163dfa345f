#pragma once
// Writes a TFRecord file (TfRecordFormat.h): each record framed with its length, the masked
// CRC32C of the length, the data and the masked CRC32C of the data; optionally GZIP or ZLIB
// compressed as tf.io.TFRecordOptions(compression_type="GZIP"/"ZLIB") writes it.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "engine/io/TfRecordFormat.h"

namespace tessel {

class TfRecordWriter {
 public:
  // Creates (truncates) `path`; throws Error when it cannot. Auto is taken as None.
  explicit TfRecordWriter(const std::string& path,
                          TfRecordCompression compression = TfRecordCompression::None);
  // Closes the file; errors there are lost (call close() to see them).
  ~TfRecordWriter();
  TfRecordWriter(const TfRecordWriter&) = delete;
  TfRecordWriter& operator=(const TfRecordWriter&) = delete;

  void write(const void* data, std::size_t size);
  void write(const std::string& data) { write(data.data(), data.size()); }
  // Finishes the compressed stream and closes the file; throws Error "<path>: ..." on failure.
  void close();
  std::int64_t recordsWritten() const { return records_; }
  const std::string& path() const { return path_; }

 private:
  void put(const void* data, std::size_t size, bool finish = false);
  std::string path_;
  std::FILE* file_ = nullptr;
  TfRecordCompression compression_;
  struct Deflate;
  std::unique_ptr<Deflate> z_;
  std::int64_t records_ = 0;
};

}  // namespace tessel
