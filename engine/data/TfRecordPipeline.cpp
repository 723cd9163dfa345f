#include "engine/data/TfRecordPipeline.h"

#include "engine/core/Error.h"
#include "engine/train/EpochIterator.h"

namespace tessel {

TfRecordPipeline::TfRecordPipeline(TfPipelineOptions options,
                                   std::shared_ptr<const TfFeatureSpec> spec,
                                   std::vector<size_t> features)
    : o_(std::move(options)), spec_(std::move(spec)), features_(std::move(features)) {
  if (o_.files.empty()) throw Error("TFRecord: no files to read");
  if (o_.cycleLength < 0) throw Error("TFRecord: interleave cycle_length must be >= 0");
  for (size_t f : features_) {
    sampleSize_ += spec_->features.at(f).rowSize();
    keys_.push_back(spec_->features[f].name);
  }
  restart(0);
}

void TfRecordPipeline::restart(int epoch) {
  const size_t cycle = o_.cycleLength > 0
                           ? std::min<size_t>(size_t(o_.cycleLength), o_.files.size())
                           : o_.files.size();
  slots_.clear();
  slots_.resize(cycle);
  slotWhere_.assign(cycle, std::string());
  nextFile_ = cycle_ = 0;
  open_ = 0;
  inputDone_ = false;
  skipped_ = taken_ = 0;
  buffer_.clear();
  filled_ = false;
  rng_.reseed(EpochIterator::epochSeed(o_.seed, epoch) ^ 0x5DEECE66DULL);
}

// tf.data's InterleaveDataset with block_length 1.
bool TfRecordPipeline::nextInterleaved(std::string& record) {
  const size_t cycle = slots_.size();
  while (!inputDone_ || open_ > 0) {
    auto& slot = slots_[cycle_];
    if (slot) {
      const std::int64_t index = slot->recordsRead();
      if (slot->next(record)) {
        where_ = slot->path() + ": record " + std::to_string(index);
        cycle_ = (cycle_ + 1) % cycle;
        return true;
      }
      slot.reset();
      --open_;
      cycle_ = (cycle_ + 1) % cycle;
    } else if (!inputDone_) {
      if (nextFile_ == o_.files.size()) {
        inputDone_ = true;
      } else {
        slot = std::make_unique<TfRecordReader>(o_.files[nextFile_++], o_.compression);
        ++open_;
      }
    } else {
      cycle_ = (cycle_ + 1) % cycle;
    }
  }
  return false;
}

bool TfRecordPipeline::nextRecord(std::string& record) {
  while (skipped_ < o_.skip) {
    if (!nextInterleaved(record)) return false;
    ++skipped_;
  }
  if (o_.take >= 0 && taken_ >= o_.take) return false;
  if (!nextInterleaved(record)) return false;
  ++taken_;
  return true;
}

bool TfRecordPipeline::nextShuffled(std::string& record) {
  if (o_.shuffleBuffer <= 1) return nextRecord(record);
  if (!filled_) {
    std::string r;
    while (Index(buffer_.size()) < o_.shuffleBuffer && nextRecord(r))
      buffer_.push_back({r, where_});
    filled_ = true;
  }
  if (buffer_.empty()) return false;
  const size_t j = static_cast<size_t>(rng_.below(buffer_.size()));
  record.swap(buffer_[j].first);
  std::string from = std::move(buffer_[j].second);
  if (nextRecord(buffer_[j].first)) {
    buffer_[j].second = where_;
  } else {
    buffer_[j].swap(buffer_.back());
    buffer_.pop_back();
  }
  where_ = std::move(from);  // messages name the record handed out
  return true;
}

bool TfRecordPipeline::next(std::vector<float>& sample) {
  if (!nextShuffled(record_)) return false;
  const TfExample e = TfExample::parse(record_, where_, keys_);  // the others are not copied
  sample.resize(size_t(sampleSize_));
  float* out = sample.data();
  for (size_t f : features_) {
    spec_->decode(e, f, out, where_);
    out += spec_->features[f].rowSize();
  }
  return true;
}

}  // namespace tessel
