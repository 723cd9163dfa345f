#include "engine/search/RandomValues.h"

#include "engine/core/Rng.h"

namespace tessel {

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  // splitmix64 steps over the three words.
  auto mix = [](std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(seed) ^ stream) ^ index);
}

std::optional<nlohmann::json> freshRandomValues(const SearchSpace& space, std::uint64_t seed,
                                                std::uint64_t index,
                                                const std::vector<nlohmann::json>& tried) {
  for (std::uint64_t attempt = 0; attempt <= 20; ++attempt) {
    Rng rng(mixSeed(seed, 1 + attempt, index));
    nlohmann::json values = space.sample(rng);
    bool seen = false;
    for (const auto& t : tried)
      if (t == values) {
        seen = true;
        break;
      }
    if (!seen) return values;
  }
  return std::nullopt;
}

}  // namespace tessel
