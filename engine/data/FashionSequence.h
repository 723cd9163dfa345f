#pragma once
// The generated "Fashion-MNIST sequence" data set for CTC (a sequence reader, issue 15): each item
// is 1..length Fashion-MNIST images side by side, left-aligned in 28-pixel slots on a (28,
// 28 * length) strip, the unused slots black. Targets are the items' class ids + 1 (1..10), padded
// with 0 at the end: Keras 3's CTC convention (0 is the blank / padding, ops.ctc_loss counts the
// non-zero entries as the label length), so a model's output has 11 classes (blank + 10).
// Everything is drawn from Rng(seed): the same sources and options give the same bytes.
//   x: (N, 28, 28 * length, 1) uint8 with scale 1/255; y: (N, length) uint8 label ids.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "engine/data/Array.h"

namespace tessel {

struct SequenceOptions {
  Index count = 1000;  // items to generate
  std::uint64_t seed = 0;
  int length = 4;     // the most images per item (slots on the strip, label columns)
  int minLength = 1;  // the fewest images per item; each item's count is uniform in [min, max]

  nlohmann::json toJson() const;
  static SequenceOptions fromJson(const nlohmann::json& j);  // missing keys keep defaults
};

struct SequenceSet {
  Array x, y;
  Index size() const { return x.rows(); }
};

// images: (M, 28, 28) uint8 (e.g. FashionMnist::xTrain with no affine map), labels: (M,) class
// ids 0..9. Each slot's image is a uniform random source. Throws Error for empty or mismatched
// sources, labels outside 0..254 or bad options (length < 1, minLength outside [1, length]).
SequenceSet generateFashionSequence(const Array& images, const Array& labels,
                                    const SequenceOptions& options);

}  // namespace tessel
