#pragma once
// Splitting data sets into train / validation / test parts. Every function takes a list of arrays
// that share dimension 0 (x, y, ...) and splits them the same way.
// In-memory arrays are copied; lazy arrays (Array.h, e.g. an image folder) become lazy views
// (rowsRange / takeRows compose a row map; nothing is decoded).
#include <cstdint>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"

namespace tessel {

// Keras 2 `fit(validation_split=...)`: the LAST fraction of the samples, taken before any
// shuffling, is the validation set: split_at = floor(n * (1 - split)); rows [0, split_at) train,
// [split_at, n) validation. split = 0 means no validation (splitAt = n). Throws Error (Keras's
// message) when split is outside [0, 1) or one side would be empty.
struct ValidationSplit {
  Index splitAt = 0;  // = number of training samples
  Index total = 0;
  Index trainCount() const { return splitAt; }
  Index validBegin() const { return splitAt; }
  Index validCount() const { return total - splitAt; }
};
ValidationSplit validationSplit(Index samples, double split);

struct ArraySplit {
  std::vector<Array> train, valid, test;  // each in the order of the input arrays
};

// validationSplit applied to the arrays (copies the rows or makes lazy views; test stays empty).
ArraySplit applyValidationSplit(const std::vector<Array>& arrays, double split);

// A random split by fractions {train, valid, test} (each >= 0, sum <= 1), shuffled with
// Rng(seed) like sklearn's train_test_split(shuffle=True) (the stream differs from numpy's):
// n_test = ceil(test * n), n_valid = ceil(valid * n), n_train = the rest if the fractions sum to 1,
// else floor(train * n). shuffle = false keeps the order: train, then valid, then test.
ArraySplit trainValidTest(const std::vector<Array>& arrays, const std::vector<double>& fractions,
                          std::uint64_t seed, bool shuffle = true);

// 0..n-1 in a random order (Fisher-Yates with rng.below), e.g. per-epoch shuffling.
std::vector<Index> shuffledIndices(Index n, Rng& rng);

// The common number of rows of the arrays; throws Error when they differ or the list is empty.
Index commonRows(const std::vector<Array>& arrays);

}  // namespace tessel
