#include "engine/data/BatchPrefetcher.h"

#include <omp.h>

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

BatchPrefetcher::BatchPrefetcher(std::vector<Array> arrays, int depth, NextRows nextRows)
    : arrays_(std::move(arrays)), depth_(depth), nextRows_(std::move(nextRows)) {
  if (depth_ < 1)
    throw Error("prefetch: the depth must be at least 1, got " + std::to_string(depth));
  if (!nextRows_) throw Error("prefetch: no row source");
  readerThreads_ = std::max(1, omp_get_num_procs() - omp_get_max_threads());
  slots_.resize(size_t(depth_) + 2);
  for (Batch& b : slots_) {
    b.arrays.resize(arrays_.size());
    free_.push_back(&b);
  }
  thread_ = std::thread([this] { run(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  stop();
}

void BatchPrefetcher::stop() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stop_ = true;
  }
  canFill_.notify_all();
  canTake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t BatchPrefetcher::produced() const {
  std::lock_guard<std::mutex> lock(m_);
  return produced_;
}

void BatchPrefetcher::run() {
  // Decoding runs on the cores the compute threads leave (one by default; see the header).
  omp_set_num_threads(readerThreads_);
  try {
    for (;;) {
      Batch* b = nullptr;
      {
        std::unique_lock<std::mutex> lock(m_);
        // At most depth_ batches wait in ready_; a free slot exists then (depth + 2 slots).
        canFill_.wait(lock,
                      [&] { return stop_ || (int(ready_.size()) < depth_ && !free_.empty()); });
        if (stop_) break;
        b = free_.back();
        free_.pop_back();
      }
      bool more = nextRows_(b->rows);
      if (more && b->rows.empty()) throw Error("prefetch: an empty batch of rows");
      if (more)
        for (size_t i = 0; i < arrays_.size(); ++i)
          arrays_[i].gather(b->rows.data(), Index(b->rows.size()), b->arrays[i]);
      std::lock_guard<std::mutex> lock(m_);
      if (!more) {
        free_.push_back(b);
        break;
      }
      ready_.push_back(b);
      ++produced_;
      canTake_.notify_one();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(m_);
    error_ = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(m_);
  done_ = true;
  canTake_.notify_all();
}

BatchPrefetcher::Batch* BatchPrefetcher::next() {
  std::unique_lock<std::mutex> lock(m_);
  if (held_) {
    free_.push_back(held_);
    held_ = nullptr;
    canFill_.notify_one();
  }
  canTake_.wait(lock, [&] { return stop_ || done_ || !ready_.empty(); });
  if (ready_.empty()) {
    if (error_ && !stop_) {
      std::exception_ptr e = error_;
      error_ = nullptr;  // reported once; the stream is over
      std::rethrow_exception(e);
    }
    return nullptr;
  }
  if (stop_) return nullptr;
  held_ = ready_.front();
  ready_.pop_front();
  canFill_.notify_one();
  return held_;
}

}  // namespace tessel
