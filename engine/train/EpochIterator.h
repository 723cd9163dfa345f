#pragma once
// Keras's EpochIterator for in-memory arrays: the rows of each training step of each epoch.
// Without steps_per_epoch every epoch is one pass over the (re)shuffled rows; with it, the pass
// continues across epochs and is reshuffled whenever it runs out (Keras's iterator over a
// repeated dataset). The shuffle stream is reseeded from (seed, epoch) at every epoch, so a run
// resumed at initial_epoch=k continues exactly as the uninterrupted run would. No allocation
// after construction.
#include <cstdint>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

class EpochIterator {
 public:
  // rows > 0, batchSize > 0, stepsPerEpoch >= 0 (0: one pass per epoch).
  EpochIterator(Index rows, Index batchSize, int stepsPerEpoch, bool shuffle, std::uint64_t seed);

  int stepsPerEpoch() const { return steps_; }
  // Reseeds the shuffle stream for `epoch` and, without steps_per_epoch, starts a new pass.
  void beginEpoch(int epoch);
  // The rows of the next step: *rows points to `return value` row indices (valid until the next
  // call). Shuffles lazily, when a pass starts.
  Index next(const Index** rows);

  // The per-epoch seed of fit's random streams (shuffling here, dropout in the Trainer).
  static std::uint64_t epochSeed(std::uint64_t seed, int epoch);

 private:
  std::vector<Index> order_;
  Index rows_, batchSize_, pos_;
  int steps_;
  bool fixedSteps_, shuffle_;
  std::uint64_t seed_;
  Rng rng_;
};

}  // namespace tessel
