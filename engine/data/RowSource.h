#pragma once
// A read-only source of rows that an Array can be backed by instead of a byte buffer (a "lazy"
// Array): the rows are produced on demand (decoded image files, ...) so that a data set larger
// than memory can be trained on through Array::gather. Sources are immutable from the Array's
// point of view (the same index always gives the same values) and shared between copies and
// views of an Array.
#include <cstddef>
#include <string>

#include "engine/data/Array.h"
#include "engine/tensor/Shape.h"

namespace tessel {

class RowSource {
 public:
  virtual ~RowSource() = default;

  // Number of rows and the shape of one row (e.g. (height, width, channels)).
  virtual Index rows() const = 0;
  virtual Shape rowShape() const = 0;
  // The dtype the raw values have (UInt8 for decoded images: values 0..255).
  virtual DType dtype() const = 0;
  // Writes rows idx[0..n) into out (n * rowSize() floats, row after row) as raw values (no scale
  // or offset). Thread-safe. Throws Error naming the failing item (file, ...) when a row cannot be
  // produced, and for an index outside [0, rows()).
  virtual void gatherRaw(const Index* idx, Index n, float* out) const = 0;
  // The memory the source may hold at most (its cache bound), for memory estimates.
  virtual std::size_t cacheBytes() const = 0;
  // Where the rows come from, for messages ("image folder /data/pets").
  virtual std::string name() const = 0;

  // What the source's cache holds and has done so far (all zero for a source without a cache):
  // for benchmarks and memory reports (`tessel-bench imagefolder`).
  struct CacheStats {
    std::size_t boundBytes = 0;  // the cache's bound (cacheBytes())
    std::size_t usedBytes = 0, peakBytes = 0, entries = 0;
    Index hits = 0, misses = 0;  // row requests served from the cache / produced anew
  };
  virtual CacheStats cacheStats() const { return {}; }

  // True for a source read as a stream (TFRecord shards): rows are cheap only in order, so fit()
  // does not shuffle them (as Keras ignores fit's shuffle for a tf.data.Dataset; the stream's
  // own shuffle buffer shuffles).
  virtual bool sequentialOnly() const { return false; }

  Index rowSize() const;  // product of rowShape()
};

}  // namespace tessel
