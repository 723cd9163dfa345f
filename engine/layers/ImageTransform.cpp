#include "engine/layers/ImageTransform.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/ConvUtils.h"

namespace tessel {

FillMode fillModeFromName(const std::string& name) {
  if (name == "reflect") return FillMode::Reflect;
  if (name == "wrap") return FillMode::Wrap;
  if (name == "constant") return FillMode::Constant;
  if (name == "nearest") return FillMode::Nearest;
  throw Error("unknown fill_mode '" + name +
              "'; only 'reflect', 'wrap', 'constant' and 'nearest' are supported");
}

Interpolation interpolationFromName(const std::string& name) {
  if (name == "nearest") return Interpolation::Nearest;
  if (name == "bilinear") return Interpolation::Bilinear;
  throw Error("unknown interpolation '" + name + "'; only 'nearest' and 'bilinear' are supported");
}

Projective translationMatrix(float dx, float dy) {
  Projective p;
  p.a2 = -dx;
  p.b2 = -dy;
  return p;
}

Projective rotationMatrix(float angle, Index height, Index width) {
  const float c = std::cos(angle), s = std::sin(angle);
  const float w1 = float(width - 1), h1 = float(height - 1);
  Projective p;
  p.a0 = c;
  p.a1 = -s;
  p.a2 = (w1 - (c * w1 - s * h1)) / 2.0f;
  p.b0 = s;
  p.b1 = c;
  p.b2 = (h1 - (s * w1 + c * h1)) / 2.0f;
  return p;
}

Projective zoomMatrix(float zx, float zy, Index height, Index width) {
  Projective p;
  p.a0 = zx;
  p.a2 = (float(width) - 1.0f) / 2.0f * (1.0f - zx);
  p.b1 = zy;
  p.b2 = (float(height) - 1.0f) / 2.0f * (1.0f - zy);
  return p;
}

namespace {

// TF's MapCoordinate (image_ops.h): maps an input coordinate into [0, len - 1] by the fill mode
// (constant: unchanged; out-of-image taps then read the fill value).
float mapCoord(float in, Index len, FillMode mode) {
  switch (mode) {
    case FillMode::Reflect:  // (d c b a | a b c d | d c b a)
      if (in < 0) {
        if (len <= 1) {
          in = 0;
        } else {
          const Index sz2 = 2 * len;
          if (in < float(sz2)) in = float(sz2 * static_cast<Index>(-in / float(sz2))) + in;
          in = (in < float(-len)) ? in + float(sz2) : -in - 1;
        }
      } else if (in > float(len - 1)) {
        if (len <= 1) {
          in = 0;
        } else {
          const Index sz2 = 2 * len;
          in -= float(sz2 * static_cast<Index>(in / float(sz2)));
          if (in >= float(len)) in = float(sz2) - in - 1;
        }
      }
      return std::clamp(in, 0.0f, float(len - 1));
    case FillMode::Wrap:  // (a b c d | a b c d | a b c d)
      if (in < 0) {
        if (len <= 1) {
          in = 0;
        } else {
          const Index sz = len - 1;
          in += float(len * (static_cast<Index>(-in / float(sz)) + 1));
        }
      } else if (in > float(len - 1)) {
        if (len <= 1) {
          in = 0;
        } else {
          const Index sz = len - 1;
          in -= float(len * static_cast<Index>(in / float(sz)));
        }
      }
      return std::clamp(in, 0.0f, float(len - 1));
    case FillMode::Nearest:  // (a a a a | a b c d | d d d d)
      return std::clamp(in, 0.0f, float(len - 1));
    case FillMode::Constant:
      break;
  }
  return in;
}

// The input taps of one output pixel: pixel index (row * w + col, -1 = outside: reads the fill
// value) and weight. Returns the number of taps (1 or 4).
struct Tap {
  Index pixel;
  float weight;
};

int tapsOf(const Projective& t, Index ox, Index oy, Index h, Index w, const TransformOptions& o,
           Tap* taps) {
  const float fx = float(ox), fy = float(oy);
  const float k = t.c0 * fx + t.c1 * fy + 1.0f;
  if (k == 0.0f) {
    taps[0] = {-1, 1.0f};
    return 1;
  }
  const float inX = (t.a0 * fx + t.a1 * fy + t.a2) / k;
  const float inY = (t.b0 * fx + t.b1 * fy + t.b2) / k;
  const float x = mapCoord(inX, w, o.fill);
  const float y = mapCoord(inY, h, o.fill);
  auto pixel = [&](Index r, Index col) {
    return r >= 0 && r < h && col >= 0 && col < w ? r * w + col : -1;
  };
  if (o.interpolation == Interpolation::Nearest) {
    // std::round: halves away from zero, as TF's kernel.
    taps[0] = {pixel(static_cast<Index>(std::round(y)), static_cast<Index>(std::round(x))), 1.0f};
    return 1;
  }
  const float y0 = std::floor(y), x0 = std::floor(x);
  const float y1 = y0 + 1, x1 = x0 + 1;
  const Index r0 = static_cast<Index>(y0), c0 = static_cast<Index>(x0);
  taps[0] = {pixel(r0, c0), (y1 - y) * (x1 - x)};
  taps[1] = {pixel(r0, c0 + 1), (y1 - y) * (x - x0)};
  taps[2] = {pixel(r0 + 1, c0), (y - y0) * (x1 - x)};
  taps[3] = {pixel(r0 + 1, c0 + 1), (y - y0) * (x - x0)};
  return 4;
}

}  // namespace

void transformImage(const float* x, Index h, Index w, Index c, const Projective& t,
                    const TransformOptions& o, float* y) {
  Tap taps[4];
  for (Index oy = 0; oy < h; ++oy)
    for (Index ox = 0; ox < w; ++ox) {
      const int n = tapsOf(t, ox, oy, h, w, o, taps);
      float* out = y + (oy * w + ox) * c;
      for (Index ch = 0; ch < c; ++ch) out[ch] = 0.0f;
      for (int k = 0; k < n; ++k) {
        const float wt = taps[k].weight;
        if (taps[k].pixel < 0) {
          for (Index ch = 0; ch < c; ++ch) out[ch] += wt * o.fillValue;
        } else {
          const float* in = x + taps[k].pixel * c;
          for (Index ch = 0; ch < c; ++ch) out[ch] += wt * in[ch];
        }
      }
    }
}

void transformImageBackward(const float* dy, Index h, Index w, Index c, const Projective& t,
                            const TransformOptions& o, float* dx) {
  std::fill(dx, dx + h * w * c, 0.0f);
  Tap taps[4];
  for (Index oy = 0; oy < h; ++oy)
    for (Index ox = 0; ox < w; ++ox) {
      const int n = tapsOf(t, ox, oy, h, w, o, taps);
      const float* g = dy + (oy * w + ox) * c;
      for (int k = 0; k < n; ++k) {
        if (taps[k].pixel < 0) continue;
        const float wt = taps[k].weight;
        float* d = dx + taps[k].pixel * c;
        for (Index ch = 0; ch < c; ++ch) d[ch] += wt * g[ch];
      }
    }
}

std::pair<double, double> factorRange(const json& factor, const char* key, bool symmetric) {
  if (factor.is_number()) {
    const double f = factor.get<double>();
    return symmetric ? std::make_pair(-f, f) : std::make_pair(f, f);
  }
  if (factor.is_array() && factor.size() == 2 && factor[0].is_number() && factor[1].is_number())
    return {factor[0].get<double>(), factor[1].get<double>()};
  throw Error(std::string("config '") + key + "' = " + factor.dump() +
              ": expected a number or a list of two numbers");
}

AugmentRng::AugmentRng(const json& seedConfig) {
  if (seedConfig.is_number_integer()) seed_ = seedConfig.get<std::uint64_t>();
}

Rng& AugmentRng::forCall(RunContext& ctx) {
  if (seed_) {
    const std::uint64_t stream = ctx.rng ? ctx.rng->nextU64() : calls_++;
    call_.reseed((*seed_ * 0x9E3779B97F4A7C15ULL) ^ (stream + 0x632BE59BD9B4E019ULL));
    return call_;
  }
  return ctx.rng ? *ctx.rng : fallback_;
}

void requireImageInput(const std::vector<Shape>& inputs, const std::string& className,
                       const std::string& node) {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, node,
                    className + " expects 1 input(s), got " + std::to_string(inputs.size()));
  requireRank(inputs[0], 4, className, node, "(batch, height, width, channels)");
}

}  // namespace tessel
