#pragma once
// The "tfrecord" data source (DataSettings kind "tfrecord"): TFRecord shards of tf.train.Example
// (or SequenceExample) records read through a TfFeatureSpec.
//   path       a file, a folder or a glob of shards ("data/train-*.tfrecord.gz")
//   options    "compression": "auto" (default) | "none" | "gzip" | "zlib";
//              the TfFeatureSpec JSON keys "features", "labels", "inputs" (when "features" is
//              missing, the "features.json" beside the shards (written by `tessel data export`)
//              is used, else the specification is proposed from the first 16 records; either
//              is written into the built settings, so the run records what it trained on).
//   pipeline   DataSettings::Pipeline (interleave, skip/take, cache, shuffle, batch, prefetch).
// Before anything trains, every record is read once (framing and both CRCs, the Example parsed
// and checked against the specification, image headers checked; nothing decoded, nothing kept)
// to count the samples; the first record is decoded in full. Splits: given files (train /
// validation / test patterns) or the fractions as CONSECUTIVE parts of the interleaved stream
// (train first; a stream is not shuffled before it is split, as Keras's validation_split).
// x: one array per input feature, y: one per label; each a lazy streamed Array
// (TfRecordStream.h) unless the pipeline caches: "memory" reads the split once into memory
// (then fit shuffles fully), a file path writes the decoded samples once into
// "<path>.<split>.bin" (float32 rows; reused when its header matches) and reads rows from it
// by offset (any order, bounded memory).
#include <string>
#include <vector>

#include "engine/data/TfExample.h"
#include "engine/data/TfFeatureSpec.h"
#include "engine/io/TfRecordFormat.h"

namespace tessel {

// What the data dialog shows before anything is trained: the files, the first records of the
// interleaved shards (every file in turn) and the specification proposed from them.
struct TfRecordPreview {
  std::vector<std::string> files;
  TfRecordCompression compression = TfRecordCompression::None;  // of the first file
  std::vector<TfExample> examples;
  TfFeatureSpec proposed;
  std::vector<std::string> skipped;  // bytes features that are not images, left out
};
TfRecordPreview inspectTfRecords(const std::string& pattern,
                                 TfRecordCompression compression = TfRecordCompression::Auto,
                                 int records = 16);

}  // namespace tessel
