#pragma once
// The generated "Fashion-MNIST localization" data set: each item is one Fashion-MNIST image,
// scaled by a random factor and pasted at a random position on a square canvas (64x64 by default)
// over background clutter (uniform noise plus a few dim random crops of other images). Targets are
// the class id and the item's box [y_min, x_min, y_max, x_max] normalised to [0, 1] (the tight box
// of the pasted image's pixels brighter than `boxThreshold`, so the box hugs the garment rather
// than the 28x28 frame). Everything is drawn from Rng(seed): the same sources and options give the
// same bytes on every machine. Nothing is stored on disk.
//   x: (N, canvas, canvas, 1) uint8 with scale 1/255 (values in [0, 1] when gathered)
//   yClass: (N,) uint8 class ids; yBox: (N, 4) float32.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "engine/data/Array.h"

namespace tessel {

struct LocalizationOptions {
  Index count = 1000;  // items to generate
  std::uint64_t seed = 0;
  int canvas = 64;  // output side in pixels
  // The 28x28 image is resized to round(28 * scale) pixels (28..45): never below 28, which would
  // throw away the little detail a Fashion-MNIST image has.
  float minScale = 1.0f;
  float maxScale = 1.6f;
  float noise = 0.08f;    // background: uniform noise in [0, noise] (of full intensity)
  int clutterPieces = 2;  // dim crops of other images pasted under the item
  int clutterMinSide = 8, clutterMaxSide = 14;
  float clutterIntensity = 0.35f;  // crops are multiplied by this
  int boxThreshold = 25;           // pixel value (0..255) counted as part of the item

  nlohmann::json toJson() const;
  static LocalizationOptions fromJson(const nlohmann::json& j);  // missing keys keep defaults
};

struct LocalizationSet {
  Array x, yClass, yBox;
  Index size() const { return x.rows(); }
};

// images: (M, 28, 28) uint8 (e.g. FashionMnist::xTrain with no affine map), labels: (M,) class ids.
// Item i is drawn from source image i mod M (so the first M items use every source once);
// clutter comes from random other sources. Throws Error for empty or mismatched sources or bad
// options (scale making the item larger than the canvas, ...).
LocalizationSet generateFashionLocalization(const Array& images, const Array& labels,
                                            const LocalizationOptions& options);

}  // namespace tessel
