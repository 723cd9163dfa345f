#include "engine/data/TfRecordStream.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/RowSource.h"

namespace tessel {

namespace {

constexpr Index kMinWindow = 1024;

}  // namespace

// tf.data's prefetch: a thread that runs the pipeline ahead into a bounded queue.
struct TfRecordStream::Prefetcher {
  TfRecordPipeline& pipeline;
  const size_t capacity;
  std::mutex m;
  std::condition_variable canPut, canGet;
  std::deque<std::vector<float>> queue;
  std::vector<std::vector<float>> spare;  // consumed rows' buffers, reused by the producer
  bool stop = false, done = false;
  std::exception_ptr error;
  std::thread thread;

  Prefetcher(TfRecordPipeline& p, size_t cap) : pipeline(p), capacity(cap) {
    thread = std::thread([this] { run(); });
  }
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
    }
    canPut.notify_all();
    thread.join();
  }
  void run() {
    try {
      for (;;) {
        std::vector<float> s;
        {
          std::lock_guard<std::mutex> lock(m);
          if (!spare.empty()) {
            s = std::move(spare.back());
            spare.pop_back();
          }
        }
        const bool more = pipeline.next(s);
        std::unique_lock<std::mutex> lock(m);
        if (!more) break;
        canPut.wait(lock, [&] { return stop || queue.size() < capacity; });
        if (stop) return;
        queue.push_back(std::move(s));
        canGet.notify_one();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(m);
    done = true;
    canGet.notify_one();
  }
  bool pull(std::vector<float>& out) {
    std::unique_lock<std::mutex> lock(m);
    canGet.wait(lock, [&] { return !queue.empty() || done; });
    if (queue.empty()) {
      if (error) std::rethrow_exception(error);
      return false;
    }
    if (!out.empty() && spare.size() < 4) spare.push_back(std::move(out));
    out = std::move(queue.front());
    queue.pop_front();
    canPut.notify_one();
    return true;
  }
};

// One sequential reader of the stream with its window of recent rows.
struct TfRecordStream::Cursor {
  TfRecordPipeline pipeline;
  std::vector<Index> offsetOf;  // per stream feature: offset in this cursor's sample, -1 absent
  Index prefetchRows;
  std::unique_ptr<Prefetcher> prefetch;
  std::deque<std::vector<float>> window;
  Index base = 0, limit = kMinWindow;
  int epoch = 0, passes = 0;
  bool started = false;
  std::vector<Index> lastRow;  // per stream feature: the highest row read in this pass

  Cursor(TfPipelineOptions o, std::shared_ptr<const TfFeatureSpec> spec, std::vector<size_t> f,
         std::vector<Index> offsets, Index prefetchRows)
      : pipeline(std::move(o), std::move(spec), std::move(f)),
        offsetOf(std::move(offsets)),
        prefetchRows(prefetchRows),
        lastRow(offsetOf.size(), -1) {}

  bool has(Index r) const { return started && r >= base && r < base + Index(window.size()); }
  void start(int e) {
    prefetch.reset();
    if (started || e != epoch) pipeline.restart(e);
    epoch = e;
    window.clear();
    base = 0;
    started = true;
    std::fill(lastRow.begin(), lastRow.end(), Index(-1));
    ++passes;
    if (prefetchRows > 0) prefetch = std::make_unique<Prefetcher>(pipeline, size_t(prefetchRows));
  }
  void advanceTo(Index r, const std::string& name, Index rows) {
    while (r >= base + Index(window.size())) {
      std::vector<float> s;
      if (Index(window.size()) >= limit) {
        s = std::move(window.front());
        window.pop_front();
        ++base;
      }
      const bool more = prefetch ? prefetch->pull(s) : pipeline.next(s);
      if (!more)
        throw Error(name + ": the records ended after " + std::to_string(base + window.size()) +
                    " samples, " + std::to_string(rows) +
                    " were counted (did the files change while training?)");
      window.push_back(std::move(s));
    }
  }
};

TfRecordStream::TfRecordStream(TfPipelineOptions options, std::shared_ptr<const TfFeatureSpec> spec,
                               std::vector<size_t> features, Index rows, Index prefetchRows,
                               std::string name)
    : spec_(std::move(spec)), features_(std::move(features)), rows_(rows), name_(std::move(name)) {
  std::vector<Index> offsets;
  Index off = 0;
  for (size_t f : features_) {
    offset_.push_back(off);
    size_.push_back(spec_->features.at(f).rowSize());
    offsets.push_back(off);
    off += size_.back();
  }
  main_ = std::make_unique<Cursor>(options, spec_, features_, offsets, prefetchRows);
  // The label-only cursor: the stream's non-image features.
  std::vector<size_t> plain;
  std::vector<Index> plainOffsets(features_.size(), -1);
  Index poff = 0;
  for (size_t k = 0; k < features_.size(); ++k)
    if (!spec_->features[features_[k]].image) {
      plain.push_back(features_[k]);
      plainOffsets[k] = poff;
      poff += size_[k];
    }
  if (!plain.empty() && plain.size() < features_.size())
    labels_ = std::make_unique<Cursor>(options, spec_, plain, plainOffsets, 0);
}

TfRecordStream::~TfRecordStream() = default;

std::size_t TfRecordStream::memoryBound() const {
  Index sample = 0;
  for (Index s : size_) sample += s;
  return std::size_t(main_->limit + main_->prefetchRows) * std::size_t(sample) * sizeof(float);
}

int TfRecordStream::passes() const {
  return main_->passes + (labels_ ? labels_->passes : 0);
}

TfRecordStream::Cursor& TfRecordStream::cursorFor(size_t k, const Index* idx, Index n) {
  bool inMain = true;
  for (Index i = 0; i < n && inMain; ++i) inMain = main_->has(idx[i]);
  if (inMain || !labels_ || labels_->offsetOf[k] < 0) return *main_;
  // Labels outside the main window: the label-only pass, in the main cursor's epoch.
  const int epoch = main_->started ? main_->epoch : 0;
  if (!labels_->started || labels_->epoch != epoch) labels_->start(epoch);
  return *labels_;
}

void TfRecordStream::gather(size_t k, const Index* idx, Index n, float* out) {
  static std::mutex guard;  // the trainer gathers from one thread; previews may gather too
  std::lock_guard<std::mutex> lock(guard);
  Cursor& c = cursorFor(k, idx, n);
  c.limit = std::max(c.limit, 2 * n);
  const Index size = size_[k];
  // A new pass (tf.data's next iteration, reshuffled) starts when this feature asks again for a
  // row it has read in this pass (the next epoch), or for one the window has dropped. The label
  // cursor restarts in the main cursor's epoch.
  auto restart = [&] {
    c.start(&c == main_.get() ? c.epoch + 1 : (main_->started ? main_->epoch : 0));
  };
  if (!c.started)
    c.start(0);
  else if (n > 0 && idx[0] <= c.lastRow[k])
    restart();
  for (Index i = 0; i < n; ++i) {
    const Index r = idx[i];
    if (r < 0 || r >= rows_)
      throw Error(name_ + ": row " + std::to_string(r) + " outside [0, " + std::to_string(rows_) +
                  ")");
    if (r < c.base) restart();
    c.advanceTo(r, name_, rows_);
    c.lastRow[k] = std::max(c.lastRow[k], r);
    const std::vector<float>& s = c.window[size_t(r - c.base)];
    std::memcpy(out + i * size, s.data() + c.offsetOf[k], size_t(size) * sizeof(float));
  }
}

namespace {

class TfRecordFeatureSource : public RowSource {
 public:
  TfRecordFeatureSource(std::shared_ptr<TfRecordStream> s, size_t k,
                        const TfFeatureSpec::Feature& f)
      : stream_(std::move(s)),
        k_(k),
        shape_(f.rowShape()),
        dtype_(f.arrayDType()),
        name_("TFRecord feature '" + f.name + "' of " + stream_->name()) {}
  Index rows() const override { return stream_->rows(); }
  Shape rowShape() const override { return shape_; }
  DType dtype() const override { return dtype_; }
  void gatherRaw(const Index* idx, Index n, float* out) const override {
    stream_->gather(k_, idx, n, out);
  }
  std::size_t cacheBytes() const override { return stream_->memoryBound(); }
  std::string name() const override { return name_; }
  bool sequentialOnly() const override { return true; }

 private:
  std::shared_ptr<TfRecordStream> stream_;
  size_t k_;
  Shape shape_;
  DType dtype_;
  std::string name_;
};

}  // namespace

Array TfRecordStream::featureArray(const std::shared_ptr<TfRecordStream>& stream, size_t k) {
  return Array::fromRowSource(std::make_shared<TfRecordFeatureSource>(
      stream, k, stream->spec_->features.at(stream->features_.at(k))));
}

}  // namespace tessel
