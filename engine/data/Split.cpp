#include "engine/data/Split.h"

#include <charconv>
#include <cmath>
#include <numeric>

#include "engine/core/Error.h"

namespace tessel {

namespace {

// Shortest round-trip text of a double, as Python's repr.
std::string repr(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::vector<Index> iota(Index begin, Index n) {
  std::vector<Index> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

}  // namespace

Index commonRows(const std::vector<Array>& arrays) {
  if (arrays.empty()) throw Error("split: no arrays given");
  Index n = arrays[0].rows();
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (arrays[i].rank() == 0) throw Error("split: array " + std::to_string(i) + " is 0-d");
    if (arrays[i].rows() != n)
      throw Error("split: arrays have different numbers of samples (" + std::to_string(n) +
                  " and " + std::to_string(arrays[i].rows()) + ")");
  }
  return n;
}

ValidationSplit validationSplit(Index samples, double split) {
  if (!(split >= 0.0 && split < 1.0))
    throw Error("`validation_split` must be in [0, 1), got " + repr(split));
  ValidationSplit v;
  v.total = samples;
  if (split == 0.0) {
    v.splitAt = samples;
    return v;
  }
  // Keras 2 (tf.keras data_adapter.train_validation_split).
  v.splitAt = static_cast<Index>(std::floor(static_cast<double>(samples) * (1.0 - split)));
  if (v.splitAt == 0 || v.splitAt == samples)
    throw Error("Training data contains " + std::to_string(samples) +
                " samples, which is not sufficient to split it into a validation and training "
                "set as specified by `validation_split=" +
                repr(split) +
                "`. Either provide more data, or a different value for the `validation_split` "
                "argument.");
  return v;
}

ArraySplit applyValidationSplit(const std::vector<Array>& arrays, double split) {
  const Index n = commonRows(arrays);
  ValidationSplit v = validationSplit(n, split);
  ArraySplit out;
  for (const Array& a : arrays) {
    out.train.push_back(a.rowsRange(0, v.trainCount()));
    out.valid.push_back(a.rowsRange(v.validBegin(), v.validCount()));
  }
  return out;
}

std::vector<Index> shuffledIndices(Index n, Rng& rng) {
  std::vector<Index> idx = iota(0, n);
  for (Index i = n - 1; i > 0; --i) {
    Index j = static_cast<Index>(rng.below(static_cast<std::uint64_t>(i) + 1));
    std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(j)]);
  }
  return idx;
}

ArraySplit trainValidTest(const std::vector<Array>& arrays, const std::vector<double>& fractions,
                          std::uint64_t seed, bool shuffle) {
  if (fractions.size() != 3)
    throw Error("trainValidTest: fractions must be {train, valid, test}, got " +
                std::to_string(fractions.size()) + " values");
  double sum = 0.0;
  for (double f : fractions) {
    if (!(f >= 0.0 && f <= 1.0))
      throw Error("trainValidTest: fractions must be in [0, 1], got " + repr(f));
    sum += f;
  }
  if (sum > 1.0 + 1e-9)
    throw Error("trainValidTest: fractions sum to " + repr(sum) + ", more than 1");
  const Index n = commonRows(arrays);
  const double dn = static_cast<double>(n);
  // ceil as sklearn's test_size; a tiny tolerance keeps 0.2 * 10 from becoming 3.
  auto ceilCount = [&](double f) { return static_cast<Index>(std::ceil(f * dn - 1e-9)); };
  const Index nTest = ceilCount(fractions[2]);
  const Index nValid = ceilCount(fractions[1]);
  Index nTrain = std::abs(sum - 1.0) <= 1e-9
                     ? n - nTest - nValid
                     : static_cast<Index>(std::floor(fractions[0] * dn + 1e-9));
  if (nTest + nValid > n || nTrain < 0 || nTrain + nValid + nTest > n)
    throw Error("trainValidTest: " + std::to_string(n) + " samples cannot be split into " +
                std::to_string(std::max<Index>(nTrain, 0)) + " train, " + std::to_string(nValid) +
                " validation and " + std::to_string(nTest) + " test samples");
  std::vector<Index> order;
  if (shuffle) {
    Rng rng(seed);
    order = shuffledIndices(n, rng);
  } else {
    order = iota(0, n);
  }
  auto part = [&](Index begin, Index count) {
    return std::vector<Index>(order.begin() + begin, order.begin() + begin + count);
  };
  std::vector<Index> trainIdx = part(0, nTrain), validIdx = part(nTrain, nValid),
                     testIdx = part(nTrain + nValid, nTest);
  ArraySplit out;
  for (const Array& a : arrays) {
    out.train.push_back(a.takeRows(trainIdx));
    out.valid.push_back(a.takeRows(validIdx));
    out.test.push_back(a.takeRows(testIdx));
  }
  return out;
}

}  // namespace tessel
