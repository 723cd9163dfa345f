#pragma once
// Random trial values shared by the random, Hyperband and Bayesian tuners.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"

namespace tessel {

// Values for trial `index` drawn with an Rng seeded from (seed, index, attempt), avoiding every
// value set in `tried`; none after 20 collisions (KerasTuner's _max_collisions).
std::optional<nlohmann::json> freshRandomValues(const SearchSpace& space, std::uint64_t seed,
                                                std::uint64_t index,
                                                const std::vector<nlohmann::json>& tried);

// The Rng seed of (seed, stream, index): distinct streams for distinct uses.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

}  // namespace tessel
