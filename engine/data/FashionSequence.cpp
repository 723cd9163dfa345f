#include "engine/data/FashionSequence.h"

#include <algorithm>
#include <string>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"

namespace tessel {

nlohmann::json SequenceOptions::toJson() const {
  return {{"count", count}, {"seed", seed}, {"length", length}, {"min_length", minLength}};
}

SequenceOptions SequenceOptions::fromJson(const nlohmann::json& j) {
  SequenceOptions o;
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key)) field = j[key].get<std::decay_t<decltype(field)>>();
  };
  get("count", o.count);
  get("seed", o.seed);
  get("length", o.length);
  get("min_length", o.minLength);
  return o;
}

SequenceSet generateFashionSequence(const Array& images, const Array& labels,
                                    const SequenceOptions& o) {
  const std::string what = "Fashion-MNIST sequence";
  constexpr int kSide = 28;
  if (images.dtype() != DType::UInt8 || images.rank() != 3 || images.shape()[1] != kSide ||
      images.shape()[2] != kSide)
    throw Error(what + ": sources must be (M, 28, 28) uint8 images, got " +
                dtypeName(images.dtype()) + " " + shapeToString(images.shape()));
  const Index m = images.rows();
  if (m == 0) throw Error(what + ": no source images");
  if (labels.rows() != m)
    throw Error(what + ": " + std::to_string(labels.rows()) + " labels for " + std::to_string(m) +
                " images");
  if (o.count < 0 || o.length < 1 || o.length > 64 || o.minLength < 1 || o.minLength > o.length)
    throw Error(what + ": invalid options " + o.toJson().dump() +
                " (need count >= 0, 1 <= min_length <= length <= 64)");
  const Index width = Index(kSide) * o.length;
  SequenceSet s;
  s.x = Array(DType::UInt8, Shape{o.count, kSide, width, 1});
  s.x.scale = 1.0f / 255.0f;
  s.y = Array(DType::UInt8, Shape{o.count, o.length});
  const std::uint8_t* src = images.dataAs<std::uint8_t>();
  std::uint8_t* xs = s.x.dataAs<std::uint8_t>();
  std::uint8_t* ys = s.y.dataAs<std::uint8_t>();
  Rng rng(o.seed);
  for (Index i = 0; i < o.count; ++i) {
    const int n = o.minLength + int(rng.below(std::uint64_t(o.length - o.minLength + 1)));
    std::uint8_t* strip = xs + i * kSide * width;
    for (int k = 0; k < n; ++k) {
      const Index from = Index(rng.below(std::uint64_t(m)));
      const double label = labels.raw(from);
      if (!(label >= 0 && label < 255))
        throw Error(what + ": source label " + std::to_string(label) + " of image " +
                    std::to_string(from) + " is not a class id 0..254");
      ys[i * o.length + k] = std::uint8_t(label + 1);  // 0 is CTC's blank / padding
      for (int y = 0; y < kSide; ++y)
        std::copy(src + from * 784 + y * kSide, src + from * 784 + (y + 1) * kSide,
                  strip + y * width + k * kSide);
    }
  }
  return s;
}

}  // namespace tessel
