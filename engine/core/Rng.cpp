#include "engine/core/Rng.h"

#include <cmath>

namespace tessel {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

void Rng::reseed(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
  haveSpare_ = false;
}

std::uint64_t Rng::nextU64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform() {
  return static_cast<float>(nextU64() >> 40) * (1.0f / 16777216.0f);
}

float Rng::normal(float mean, float stddev) {
  if (haveSpare_) {
    haveSpare_ = false;
    return mean + stddev * spare_;
  }
  double u1, u2;
  do {
    u1 = static_cast<double>(nextU64() >> 11) * (1.0 / 9007199254740992.0);
  } while (u1 <= 0.0);
  u2 = static_cast<double>(nextU64() >> 11) * (1.0 / 9007199254740992.0);
  double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = static_cast<float>(r * std::sin(2.0 * M_PI * u2));
  haveSpare_ = true;
  return mean + stddev * static_cast<float>(r * std::cos(2.0 * M_PI * u2));
}

float Rng::truncatedNormal(float mean, float stddev) {
  for (;;) {
    float z = normal();
    if (std::fabs(z) <= 2.0f) return mean + stddev * z;
  }
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) return 0;
  // Lemire-style rejection to avoid modulo bias.
  std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    std::uint64_t r = nextU64();
    if (r >= threshold) return r % n;
  }
}

}  // namespace tessel
