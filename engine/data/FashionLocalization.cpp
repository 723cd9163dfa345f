#include "engine/data/FashionLocalization.h"

#include <stb_image_resize.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"

namespace tessel {

nlohmann::json LocalizationOptions::toJson() const {
  return {{"count", count},
          {"seed", seed},
          {"canvas", canvas},
          {"min_scale", minScale},
          {"max_scale", maxScale},
          {"noise", noise},
          {"clutter_pieces", clutterPieces},
          {"clutter_min_side", clutterMinSide},
          {"clutter_max_side", clutterMaxSide},
          {"clutter_intensity", clutterIntensity},
          {"box_threshold", boxThreshold}};
}

LocalizationOptions LocalizationOptions::fromJson(const nlohmann::json& j) {
  LocalizationOptions o;
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key)) field = j[key].get<std::decay_t<decltype(field)>>();
  };
  get("count", o.count);
  get("seed", o.seed);
  get("canvas", o.canvas);
  get("min_scale", o.minScale);
  get("max_scale", o.maxScale);
  get("noise", o.noise);
  get("clutter_pieces", o.clutterPieces);
  get("clutter_min_side", o.clutterMinSide);
  get("clutter_max_side", o.clutterMaxSide);
  get("clutter_intensity", o.clutterIntensity);
  get("box_threshold", o.boxThreshold);
  return o;
}

namespace {

constexpr int kSide = 28;

int uniformInt(Rng& rng, int lo, int hi) {  // [lo, hi]
  return lo + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

}  // namespace

LocalizationSet generateFashionLocalization(const Array& images, const Array& labels,
                                            const LocalizationOptions& o) {
  const char* what = "Fashion-MNIST localization";
  if (images.dtype() != DType::UInt8 || images.rank() != 3 || images.shape()[1] != kSide ||
      images.shape()[2] != kSide)
    throw Error(std::string(what) + ": sources must be (M, 28, 28) uint8 images, got " +
                dtypeName(images.dtype()) + " " + shapeToString(images.shape()));
  const Index m = images.rows();
  if (m == 0) throw Error(std::string(what) + ": no source images");
  if (labels.rows() != m)
    throw Error(std::string(what) + ": " + std::to_string(labels.rows()) + " labels for " +
                std::to_string(m) + " images");
  const int c = o.canvas;
  if (o.count < 0 || c < 8 || !(o.minScale > 0) || o.maxScale < o.minScale ||
      std::lround(kSide * o.maxScale) > c || o.clutterPieces < 0 || o.clutterMinSide < 1 ||
      o.clutterMaxSide < o.clutterMinSide || o.clutterMaxSide > kSide || o.noise < 0 ||
      o.noise > 1 || o.boxThreshold < 0 || o.boxThreshold > 255)
    throw Error(std::string(what) + ": invalid options " + o.toJson().dump());

  LocalizationSet s;
  s.x = Array(DType::UInt8, Shape{o.count, c, c, 1});
  s.x.scale = 1.0f / 255.0f;
  s.yClass = Array(DType::UInt8, Shape{o.count});
  s.yBox = Array(DType::Float32, Shape{o.count, 4});
  const std::uint8_t* src = images.dataAs<std::uint8_t>();
  std::uint8_t* xs = s.x.dataAs<std::uint8_t>();
  std::uint8_t* cls = s.yClass.dataAs<std::uint8_t>();
  float* box = s.yBox.dataAs<float>();
  Rng rng(o.seed);
  std::vector<std::uint8_t> item;
  const float noiseMax = o.noise * 255.0f;

  for (Index i = 0; i < o.count; ++i) {
    std::uint8_t* canvas = xs + i * c * c;
    // Background noise, then dim crops of other images (brightest value wins).
    for (int p = 0; p < c * c; ++p)
      canvas[p] = static_cast<std::uint8_t>(std::lround(rng.uniform() * noiseMax));
    for (int k = 0; k < o.clutterPieces; ++k) {
      const std::uint8_t* other = src + static_cast<Index>(rng.below(std::uint64_t(m))) * 784;
      const int h = uniformInt(rng, o.clutterMinSide, o.clutterMaxSide);
      const int w = uniformInt(rng, o.clutterMinSide, o.clutterMaxSide);
      const int sy = uniformInt(rng, 0, kSide - h), sx = uniformInt(rng, 0, kSide - w);
      const int dy = uniformInt(rng, 0, c - h), dx = uniformInt(rng, 0, c - w);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const auto v = static_cast<std::uint8_t>(
              std::lround(other[(sy + y) * kSide + sx + x] * o.clutterIntensity));
          std::uint8_t& dst = canvas[(dy + y) * c + dx + x];
          dst = std::max(dst, v);
        }
    }
    // The item: resized, pasted opaque where it has content.
    const Index srcIndex = i % m;
    const int side = static_cast<int>(std::lround(kSide * rng.uniform(o.minScale, o.maxScale)));
    item.assign(static_cast<size_t>(side * side), 0);
    if (side == kSide)
      std::copy(src + srcIndex * 784, src + srcIndex * 784 + 784, item.begin());
    else
      stbir_resize_uint8(src + srcIndex * 784, kSide, kSide, 0, item.data(), side, side, 0, 1);
    const int top = uniformInt(rng, 0, c - side), left = uniformInt(rng, 0, c - side);
    int y0 = side, x0 = side, y1 = -1, x1 = -1;
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) {
        const std::uint8_t v = item[y * side + x];
        if (v > 0) canvas[(top + y) * c + left + x] = v;
        if (v > o.boxThreshold) {
          y0 = std::min(y0, y), x0 = std::min(x0, x);
          y1 = std::max(y1, y), x1 = std::max(x1, x);
        }
      }
    if (y1 < 0) y0 = x0 = 0, y1 = x1 = side - 1;  // an (almost) empty image: the whole frame
    cls[i] = static_cast<std::uint8_t>(labels.raw(srcIndex));
    box[4 * i + 0] = float(top + y0) / float(c);
    box[4 * i + 1] = float(left + x0) / float(c);
    box[4 * i + 2] = float(top + y1 + 1) / float(c);
    box[4 * i + 3] = float(left + x1 + 1) / float(c);
  }
  return s;
}

}  // namespace tessel
