#pragma once
// Streaming TFRecord data behind lazy Arrays (Array.h): one stream per split, one lazy Array per
// feature (featureArray), all served from the same sequential TfRecordPipeline. Rows are meant to
// be read in order, as fit() reads a tf.data input (Keras ignores fit's shuffle for a
// tf.data.Dataset; the Trainer does the same for a source whose sequentialOnly() is true): the
// stream keeps a window of the most recent decoded rows so that the x and y arrays of one batch
// read the same samples; a request before the window starts the stream over (a new epoch: the
// shuffle buffer is reseeded), a request after it reads forward. Any order is answered correctly,
// only out-of-order reads cost a pass.
//
// Labels asked for outside the window (the Trainer's label check before fit asks for the whole
// label column at once) are read by a second, label-only pass: it parses only the label features
// of each record (no image bytes copied, nothing else decoded) and copies each row into the
// request as it is read, keeping no more than the minimum window of labels.
//
// Prefetch (the pipeline's prefetch step) is fit's BatchPrefetcher: its reader thread gathers
// the batches from this stream, so the records are read, parsed and decoded on that thread.
//
// Peak memory of a stream: the main window (max(1024, 2 x the largest request) rows, decoded, 4
// bytes per value) + 1024 rows of labels + the pipeline's shuffle buffer (serialized records) +
// one reader per interleaved file (~170 KiB) -- independent of the number of records. (The
// label check's own result, 4 bytes per sample and label value, is the caller's.)
#include <memory>
#include <string>
#include <vector>

#include "engine/data/Array.h"
#include "engine/data/TfRecordPipeline.h"

namespace tessel {

class TfRecordStream {
 public:
  // rows: the number of samples the pipeline yields (counted beforehand); features: the spec's
  // features this stream decodes (the arrays' order), the last `labels` of them the labels (the
  // label-only pass reads those; 0: no such pass).
  TfRecordStream(TfPipelineOptions options, std::shared_ptr<const TfFeatureSpec> spec,
                 std::vector<size_t> features, size_t labels, Index rows, std::string name);
  ~TfRecordStream();
  TfRecordStream(const TfRecordStream&) = delete;
  TfRecordStream& operator=(const TfRecordStream&) = delete;

  // A lazy Array of feature `k` (an index into `features`): shape (rows, rowShape...).
  static Array featureArray(const std::shared_ptr<TfRecordStream>& stream, size_t k);

  Index rows() const { return rows_; }
  // Raw values of rows idx[0..n) of feature k into out (n x the feature's row size).
  void gather(size_t k, const Index* idx, Index n, float* out);
  const std::string& name() const { return name_; }
  std::size_t memoryBound() const;  // the peak bytes of decoded rows held (the window)
  int passes() const;               // how many times the stream started (tests, benchmarks)

 private:
  struct Cursor;
  Cursor& cursorFor(size_t k, const Index* idx, Index n);

  std::shared_ptr<const TfFeatureSpec> spec_;
  std::vector<size_t> features_;
  std::vector<Index> offset_, size_;  // of each feature within a sample
  Index rows_;
  std::string name_;
  std::unique_ptr<Cursor> main_, labels_;
};

}  // namespace tessel
