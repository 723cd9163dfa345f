#pragma once
// tf.data's prefetch(n) for any data set: a reader thread gathers the next batches (rows from
// `nextRows`, every array gathered for them with Array::gather, so lazy sources decode their
// images / records there) into a bounded queue of `depth` ready batches while the caller trains
// on the current one. Batches come out in exactly the order nextRows gives them, with exactly the
// values a direct gather gives, so training with and without prefetch is bit for bit the same.
// fit uses one for each epoch's training batches and one for each validation pass (evaluate()
// for its batches), when the Dataset's prefetch is > 0.
//
// The reader thread runs its gathers with the cores the compute threads leave: max(1, cores -
// the constructing thread's OpenMP threads). By default training uses every core, so the reader
// decodes on ONE thread: a parallel region started on a thread outside OpenMP would bring a
// second team of threads to compete with the compute threads (on 2 cores: 4 busy threads), so
// decoding moves to the reader instead of being split over more threads than there are cores.
// With K compute threads on more than K cores (--threads K), the reader's gathers use one thread
// per spare core (lazy image sources decode the rows of a batch in parallel).
//
// Errors: an exception thrown by nextRows or a gather on the reader thread is rethrown by next()
// once the batches before it have been taken (then the stream is over). Stopping: the
// destructor (or stop()) ends the reader at its next batch boundary and joins it, also in the
// middle of a stream and while the queue is full.
//
// Memory: depth + 2 batches (depth ready, one being filled, the one the caller holds), each the
// gathered float32 tensors of its rows; the buffers are reused, nothing is allocated per batch
// once each slot has held a full batch.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/data/Array.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

class BatchPrefetcher {
 public:
  struct Batch {
    std::vector<Index> rows;
    std::vector<Tensor> arrays;  // arrays[i]: the constructor's arrays[i] gathered at rows
  };
  // Called on the reader thread, in order: writes the next batch's rows into `rows` (non-empty)
  // and returns true, or returns false at the end of the stream.
  using NextRows = std::function<bool(std::vector<Index>& rows)>;

  // depth >= 1 ready batches are kept ahead. The arrays are shared (Array copies share their
  // data and row source), their sources must be thread-safe (RowSource::gatherRaw is).
  BatchPrefetcher(std::vector<Array> arrays, int depth, NextRows nextRows);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The next batch, blocking until it is ready; nullptr at the end. The batch stays valid (and
  // the caller may swap its tensors' contents with tensors of the same shapes) until the next
  // call. Rethrows the reader's error.
  Batch* next();
  // Ends the reader thread (idempotent); next() then returns nullptr.
  void stop();

  int depth() const { return depth_; }
  // OpenMP threads of the reader's gathers (see above).
  int readerThreads() const { return readerThreads_; }
  // Batches the reader has gathered so far (tests: how far ahead it ran).
  std::size_t produced() const;

 private:
  void run();

  std::vector<Array> arrays_;
  const int depth_;
  int readerThreads_ = 1;
  NextRows nextRows_;
  std::vector<Batch> slots_;  // depth + 2 buffers
  std::vector<Batch*> free_;  // slots the reader may fill
  std::deque<Batch*> ready_;  // gathered, in order
  Batch* held_ = nullptr;     // the caller's current batch
  mutable std::mutex m_;
  std::condition_variable canFill_, canTake_;
  bool stop_ = false, done_ = false;
  std::size_t produced_ = 0;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace tessel
