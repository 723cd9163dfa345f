#include "engine/train/EpochIterator.h"

#include <algorithm>

namespace tessel {

EpochIterator::EpochIterator(Index rows, Index batchSize, int stepsPerEpoch, bool shuffle,
                             std::uint64_t seed)
    : order_(static_cast<size_t>(rows)),
      rows_(rows),
      batchSize_(batchSize),
      pos_(rows),  // forces a (re)shuffle at the first step
      steps_(stepsPerEpoch > 0 ? stepsPerEpoch
                               : static_cast<int>((rows + batchSize - 1) / batchSize)),
      fixedSteps_(stepsPerEpoch > 0),
      shuffle_(shuffle),
      seed_(seed),
      rng_(seed) {}

std::uint64_t EpochIterator::epochSeed(std::uint64_t seed, int epoch) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch) + 1;
}

void EpochIterator::beginEpoch(int epoch) {
  rng_.reseed(epochSeed(seed_, epoch));
  if (!fixedSteps_) pos_ = rows_;
}

Index EpochIterator::next(const Index** rows) {
  if (pos_ >= rows_) {
    for (Index i = 0; i < rows_; ++i) order_[i] = i;
    if (shuffle_)
      for (Index i = rows_ - 1; i > 0; --i)
        std::swap(order_[i], order_[rng_.below(static_cast<std::uint64_t>(i) + 1)]);
    pos_ = 0;
  }
  const Index n = std::min(batchSize_, rows_ - pos_);
  *rows = order_.data() + pos_;
  pos_ += n;
  return n;
}

}  // namespace tessel
