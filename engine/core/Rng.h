#pragma once
// Seeded, reproducible random numbers for initializers, dropout, shuffling and augmentation.
// The same seed gives the same stream on every machine (no std::*_distribution, whose output is
// implementation-defined).
#include <cstdint>

namespace tessel {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed);
  std::uint64_t nextU64();  // xoshiro256**
  std::uint32_t nextU32() { return static_cast<std::uint32_t>(nextU64() >> 32); }
  float uniform();  // [0, 1)
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  float normal(float mean = 0.0f, float stddev = 1.0f);  // Box-Muller
  // Normal redrawn outside mean ± 2·stddev, as Keras's truncated_normal.
  float truncatedNormal(float mean = 0.0f, float stddev = 1.0f);
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n)
  // A new generator seeded from this one (for per-layer streams).
  Rng split() { return Rng(nextU64()); }

 private:
  std::uint64_t s_[4];
  bool haveSpare_ = false;
  float spare_ = 0.0f;
};

}  // namespace tessel
