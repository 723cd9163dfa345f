#pragma once
// Writes a data set as TFRecord shards of tf.train.Example (the CSV -> TFRecord and image ->
// TFRecord exercises of tf.data tutorials). Each sample becomes one Example:
//   x arrays: a uint8 image array (N, H, W) or (N, H, W, 1|3) without an affine map -> "image"
//             (one PNG, lossless: reading it back gives the same pixels); any other x ->
//             "input_features" (FloatList of the row's values, after the array's affine map);
//             with several x arrays the names get a suffix _1, _2, ...
//   y arrays: (N,) integer labels -> "label" (Int64List), (N, 4) boxes -> "box" (FloatList
//             ymin, xmin, ymax, xmax), other targets -> "label" FloatList; further y arrays get
//             a suffix _1, _2, ...
// Sample i goes to shard i % shards, so interleaving the shards with cycle_length = shards
// (block length 1, the "tfrecord" source's default) reads the samples back in their order. Files
// are "<dir>/<prefix>-SSSSS-of-NNNNN.tfrecord" (+ ".gz" / ".zz"), and "<dir>/features.json" holds
// the TfFeatureSpec that reads them. Rows are read in chunks (a lazy image folder is never loaded
// whole).
#include <string>
#include <vector>

#include "engine/data/TfFeatureSpec.h"
#include "engine/io/TfRecordFormat.h"
#include "engine/train/FitOptions.h"

namespace tessel {

struct TfRecordExportOptions {
  std::string dir;
  int shards = 1;
  TfRecordCompression compression = TfRecordCompression::None;
  std::string prefix = "data";
};

struct TfRecordExportResult {
  std::vector<std::string> files;
  Index records = 0;
  TfFeatureSpec spec;
};

TfRecordExportResult exportTfRecords(const Dataset& data, const TfRecordExportOptions& options);

}  // namespace tessel
