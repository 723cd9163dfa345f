#pragma once
// The steps every source builder of DatasetBuilder shares: the Fashion-MNIST check, the
// training-sample limit, the split by fractions, and the normalisation of x (an affine map).
// Internal to the engine's data folder (namespace databuild).
#include <string>
#include <vector>

#include "engine/data/DatasetBuilder.h"

namespace tessel::databuild {

// Throws Error (naming the Debian package) when Fashion-MNIST is not installed.
void requireFashionMnist();

// Keeps at most `limit` rows of every array of d (limit < 0: all).
void limitDataset(Dataset& d, Index limit);

// Given files: DataSettings::trainFile is set (the fractions are not used).
bool givenFiles(const DataSettings& s);

// The rows (of the arrays given to splitInto) that went into each part.
struct SplitRows {
  std::vector<Index> train, valid, test;
};

// Splits x and ys by the settings' fractions into out.train, out.validation and out.test (none
// when empty). A lazy x gives lazy views (nothing is decoded).
SplitRows splitInto(BuiltData& out, const Array& x, const std::vector<Array>& ys,
                    const DataSettings& s);

// Applies settings.normalization to every x (train, validation, test) as its affine map;
// standardize_global fits its statistics on the training x and writes them into out.settings.
void normalize(BuiltData& out);

// 0, 1, ..., n - 1.
std::vector<Index> allRows(Index n);

// "a, b, c".
std::string joined(const std::vector<std::string>& v);

}  // namespace tessel::databuild
