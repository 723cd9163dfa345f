#include "engine/search/KFold.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/Split.h"

namespace tessel {

std::vector<FoldSplit> kFold(Index n, int k, bool shuffle, std::uint64_t seed) {
  if (k < 2)
    throw Error(
        "k-fold cross-validation requires at least one train/test split by setting "
        "n_splits=2 or more, got n_splits=" +
        std::to_string(k));
  if (k > n)
    throw Error("Cannot have number of splits n_splits=" + std::to_string(k) +
                " greater than the number of samples: n_samples=" + std::to_string(n));
  std::vector<Index> order(n);
  std::iota(order.begin(), order.end(), Index(0));
  if (shuffle) {
    Rng rng(seed);
    order = shuffledIndices(n, rng);
  }
  std::vector<FoldSplit> out(k);
  std::vector<int> foldOf(n);
  Index begin = 0;
  for (int f = 0; f < k; ++f) {
    Index size = n / k + (f < n % k ? 1 : 0);
    for (Index i = begin; i < begin + size; ++i) foldOf[order[i]] = f;
    begin += size;
  }
  for (Index i = 0; i < n; ++i)
    for (int f = 0; f < k; ++f) (foldOf[i] == f ? out[f].test : out[f].train).push_back(i);
  return out;
}

}  // namespace tessel
