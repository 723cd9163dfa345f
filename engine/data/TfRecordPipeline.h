#pragma once
// The tf.data steps of a TFRecord input, in tf.data's order, producing one decoded sample at a
// time (nothing is held beyond the open files and the shuffle buffer):
//   files (sorted shard list)
//   -> interleave(cycle_length, block_length=1): `cycleLength` files open at once (0 = all), one
//      record from each in turn; an exhausted file's slot takes the next unopened file when the
//      cycle comes back to it (tf.data's InterleaveDataset order)
//   -> skip(skip) -> take(take)                  (records of the interleaved stream)
//   -> shuffle(buffer_size, seed, reshuffle_each_iteration): serialized records wait in a buffer
//      of `shuffleBuffer` (0 or 1: no shuffle); each output is a uniformly chosen buffer entry,
//      replaced by the next record (the order depends only on seed, epoch and record count)
//   -> map(parse_single_example + image decode): the selected features of the TfFeatureSpec,
//      as raw float values concatenated in `features` order (only they are parsed from the
//      record: a label-only pipeline copies no image bytes).
// Memory: cycleLength open readers (~170 KiB each with decompression) plus shuffleBuffer
// serialized records. Errors name the file and record number.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/data/TfFeatureSpec.h"
#include "engine/io/TfRecordReader.h"

namespace tessel {

struct TfPipelineOptions {
  std::vector<std::string> files;
  TfRecordCompression compression = TfRecordCompression::Auto;
  int cycleLength = 0;  // 0: all files
  Index skip = 0;
  Index take = -1;  // -1: all
  Index shuffleBuffer = 0;
  std::uint64_t seed = 0;
};

class TfRecordPipeline {
 public:
  TfRecordPipeline(TfPipelineOptions options, std::shared_ptr<const TfFeatureSpec> spec,
                   std::vector<size_t> features);
  // Starts over (the shuffle stream reseeded from seed and epoch).
  void restart(int epoch);
  // The next sample's values (sampleSize() floats); false at the end.
  bool next(std::vector<float>& sample);
  Index sampleSize() const { return sampleSize_; }
  // Where the last record came from: "<file>: record N".
  const std::string& where() const { return where_; }

  // The next serialized record of the interleaved, skipped and taken stream (no shuffle, no
  // parse); false at the end. For counting and checking passes.
  bool nextRecord(std::string& record);

 private:
  bool nextInterleaved(std::string& record);
  bool nextShuffled(std::string& record);
  TfPipelineOptions o_;
  std::shared_ptr<const TfFeatureSpec> spec_;
  std::vector<size_t> features_;
  std::vector<std::string> keys_;  // the features' names: only these are parsed from a record
  Index sampleSize_ = 0;
  // Interleave state.
  std::vector<std::unique_ptr<TfRecordReader>> slots_;
  std::vector<std::string> slotWhere_;
  size_t nextFile_ = 0, cycle_ = 0;
  int open_ = 0;
  bool inputDone_ = false;
  Index skipped_ = 0, taken_ = 0;
  // Shuffle state.
  std::vector<std::pair<std::string, std::string>> buffer_;  // serialized record, where from
  bool filled_ = false;
  Rng rng_;
  std::string where_, record_;
};

}  // namespace tessel
