#include "engine/data/TfRecordStream.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>

#include "engine/core/Error.h"
#include "engine/data/RowSource.h"

namespace tessel {

namespace {

constexpr Index kMinWindow = 1024;

}  // namespace

// One sequential reader of the stream with its window of recent rows.
struct TfRecordStream::Cursor {
  TfRecordPipeline pipeline;
  std::vector<Index> offsetOf;  // per stream feature: offset in this cursor's sample, -1 absent
  std::deque<std::vector<float>> window;
  Index base = 0, limit = kMinWindow;
  int epoch = 0, passes = 0;
  bool started = false;
  std::vector<Index> lastRow;  // per stream feature: the highest row read in this pass

  Cursor(TfPipelineOptions o, std::shared_ptr<const TfFeatureSpec> spec, std::vector<size_t> f,
         std::vector<Index> offsets)
      : pipeline(std::move(o), std::move(spec), std::move(f)),
        offsetOf(std::move(offsets)),
        lastRow(offsetOf.size(), -1) {}

  bool has(Index r) const { return started && r >= base && r < base + Index(window.size()); }
  void start(int e) {
    if (started || e != epoch) pipeline.restart(e);
    epoch = e;
    window.clear();
    base = 0;
    started = true;
    std::fill(lastRow.begin(), lastRow.end(), Index(-1));
    ++passes;
  }
  void advanceTo(Index r, const std::string& name, Index rows) {
    while (r >= base + Index(window.size())) {
      std::vector<float> s;
      if (Index(window.size()) >= limit) {
        s = std::move(window.front());
        window.pop_front();
        ++base;
      }
      const bool more = pipeline.next(s);
      if (!more)
        throw Error(name + ": the records ended after " + std::to_string(base + window.size()) +
                    " samples, " + std::to_string(rows) +
                    " were counted (did the files change while training?)");
      window.push_back(std::move(s));
    }
  }
};

TfRecordStream::TfRecordStream(TfPipelineOptions options, std::shared_ptr<const TfFeatureSpec> spec,
                               std::vector<size_t> features, size_t labels, Index rows,
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
  main_ = std::make_unique<Cursor>(options, spec_, features_, offsets);
  // The label-only cursor: the trailing `labels` features, the only ones it parses and decodes.
  if (labels == 0 || labels >= features_.size()) return;
  std::vector<size_t> only(features_.end() - std::ptrdiff_t(labels), features_.end());
  std::vector<Index> onlyOffsets(features_.size(), -1);
  Index loff = 0;
  for (size_t k = features_.size() - labels; k < features_.size(); ++k) {
    onlyOffsets[k] = loff;
    loff += size_[k];
  }
  labels_ = std::make_unique<Cursor>(options, spec_, only, onlyOffsets);
}

TfRecordStream::~TfRecordStream() = default;

std::size_t TfRecordStream::memoryBound() const {
  Index sample = 0;
  for (Index s : size_) sample += s;
  return std::size_t(main_->limit) * std::size_t(sample) * sizeof(float);
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
  // The main window holds two requests (the x and y arrays of a batch read the same rows); the
  // label cursor's stays at its minimum for requests in order (the whole label column): their
  // rows are copied as they are read.
  if (&c == main_.get() || !std::is_sorted(idx, idx + n)) c.limit = std::max(c.limit, 2 * n);
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
