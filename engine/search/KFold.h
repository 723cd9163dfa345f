#pragma once
// k-fold cross-validation splits with scikit-learn's KFold semantics: the samples 0..n-1
// (shuffled with Rng(seed) first when `shuffle`, a different stream from numpy's) are cut into k
// consecutive folds, the first n % k of size n / k + 1 and the others n / k; fold i is the test
// part of split i and the other samples its training part. Both index lists are ascending, as
// sklearn returns them.
#include <cstdint>
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

struct FoldSplit {
  std::vector<Index> train, test;
};

// Throws Error (sklearn's message) when k < 2 or k > n.
std::vector<FoldSplit> kFold(Index n, int k, bool shuffle = true, std::uint64_t seed = 0);

}  // namespace tessel
