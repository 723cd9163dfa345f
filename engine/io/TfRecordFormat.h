#pragma once
// TFRecord files as TensorFlow writes them (tf.io.TFRecordWriter, tf.data.TFRecordDataset): a
// sequence of records, each
//   uint64 length | uint32 masked CRC32C of the 8 length bytes | data | uint32 masked CRC32C of
//   data
// (little-endian; masked as Crc32c.h says), the whole stream optionally compressed with GZIP or
// ZLIB (TF's compression_type "GZIP" / "ZLIB"). The readers and writer are TfRecordReader and
// TfRecordWriter; this header holds what they share.
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

enum class TfRecordCompression {
  None,
  Gzip,
  Zlib,
  Auto  // readers only: decided from the file's first bytes (see TfRecordReader)
};

// "none" (also "" as TF writes it), "gzip", "zlib", "auto"; any case. Throws Error otherwise.
TfRecordCompression tfRecordCompression(const std::string& name);
const char* tfRecordCompressionName(TfRecordCompression c);  // "none", "gzip", "zlib", "auto"

// The files of `pattern`, sorted by name: a file, a folder (its regular files whose names hold
// ".tfrecord" or end in ".tfr"/".rec", else all of its regular files), or a glob pattern
// ("data/train-*.tfrecord.gz", as tf.data.Dataset.list_files). Throws Error naming the pattern
// when nothing matches.
std::vector<std::string> listTfRecordFiles(const std::string& pattern);

}  // namespace tessel
