#include "engine/layers/ConvUtils.h"

#include <algorithm>
#include <cstring>

namespace tessel {

std::vector<Index> configTuple(const json& config, const std::string& key, size_t n,
                               const std::string& node, Index minValue) {
  auto it = config.find(key);
  auto bad = [&](const std::string& why) {
    throw SpecError(
        SpecErrorKind::BadValue, node,
        "config '" + key + "' = " + (it == config.end() ? "null" : it->dump()) + ": " + why);
  };
  if (it == config.end() || it->is_null()) bad("a value is required");
  std::vector<Index> out;
  if (it->is_number_integer()) {
    out.assign(n, it->get<Index>());
  } else if (it->is_array()) {
    if (it->size() == 1 && n > 1) {
      out.assign(n, (*it)[0].is_number_integer() ? (*it)[0].get<Index>() : Index(0));
    } else if (it->size() != n) {
      bad("expected " + std::to_string(n) + " integer" + (n > 1 ? "s" : ""));
    } else {
      for (const auto& e : *it) {
        if (!e.is_number_integer()) bad("expected integers");
        out.push_back(e.get<Index>());
      }
    }
  } else {
    bad("expected an integer or a list of integers");
  }
  for (Index v : out)
    if (v < minValue)
      bad(minValue == 1 ? "must be positive" : "must be at least " + std::to_string(minValue));
  return out;
}

void requireChannelsLast(const json& config, const std::string& node) {
  auto it = config.find("data_format");
  if (it == config.end() || it->is_null()) return;
  if (!it->is_string() || it->get<std::string>() != "channels_last")
    throw SpecError(SpecErrorKind::BadValue, node,
                    "config 'data_format' = " + it->dump() +
                        ": only \"channels_last\" is supported (NHWC); transpose the data instead");
}

Index convOutputLength(Index in, Index k, Index stride, Index dilation, const std::string& pad) {
  if (in == kNone) return kNone;
  Index ek = (k - 1) * dilation + 1;
  if (pad == "valid") {
    Index len = in - ek + 1;
    return len <= 0 ? 0 : (len + stride - 1) / stride;
  }
  return (in + stride - 1) / stride;  // same, causal
}

Index padBefore(Index in, Index k, Index stride, Index dilation, const std::string& pad) {
  if (pad == "valid") return 0;
  if (pad == "causal") return (k - 1) * dilation;
  Index out = (in + stride - 1) / stride;
  Index total = std::max<Index>((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  return total / 2;
}

void requireRank(const Shape& shape, size_t rank, const std::string& className,
                 const std::string& node, const std::string& dims) {
  if (shape.size() != rank)
    throw SpecError(SpecErrorKind::ShapeMismatch, node,
                    className + " expects a " + std::to_string(rank) + "-D input " + dims +
                        ", got " + shapeToString(shape));
}

void requireKnown(const Shape& shape, size_t axis, const std::string& node,
                  const std::string& what) {
  if (shape[axis] == kNone)
    throw SpecError(
        SpecErrorKind::ShapeMismatch, node,
        "the " + what + " dimension of the input must be known, got " + shapeToString(shape));
}

ConvGeom makeConvGeom(Index h, Index w, Index c, Index kh, Index kw, Index sh, Index sw, Index dh,
                      Index dw, const std::string& padding) {
  ConvGeom g;
  g.h = h, g.w = w, g.c = c, g.kh = kh, g.kw = kw, g.sh = sh, g.sw = sw, g.dh = dh, g.dw = dw;
  g.oh = convOutputLength(h, kh, sh, dh, padding);
  g.ow = convOutputLength(w, kw, sw, dw, padding);
  // Causal padding is 1-D only (width; height is 1 there).
  g.padT = padding == "causal" ? 0 : padBefore(h, kh, sh, dh, padding);
  g.padL = padBefore(w, kw, sw, dw, padding);
  return g;
}

void im2col(const float* x, const ConvGeom& g, Index c0, Index cg, float* col) {
  const Index K = g.cols(cg);
  const Index nRows = g.n * g.oh;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < nRows; ++r) {
    const Index b = r / g.oh, oy = r % g.oh;
    const float* xb = x + b * g.h * g.w * g.c;
    float* out = col + r * g.ow * K;
    for (Index ox = 0; ox < g.ow; ++ox, out += K) {
      float* o = out;
      for (Index i = 0; i < g.kh; ++i) {
        const Index iy = oy * g.sh - g.padT + i * g.dh;
        if (iy < 0 || iy >= g.h) {
          std::memset(o, 0, sizeof(float) * g.kw * cg);
          o += g.kw * cg;
          continue;
        }
        const float* row = xb + iy * g.w * g.c + c0;
        const Index ix0 = ox * g.sw - g.padL;
        if (g.dw == 1 && cg == g.c && ix0 >= 0 && ix0 + g.kw <= g.w) {
          // Contiguous run of kw pixels with all channels.
          std::memcpy(o, row + ix0 * g.c, sizeof(float) * g.kw * cg);
          o += g.kw * cg;
          continue;
        }
        for (Index j = 0; j < g.kw; ++j, o += cg) {
          const Index ix = ix0 + j * g.dw;
          if (ix < 0 || ix >= g.w)
            std::memset(o, 0, sizeof(float) * cg);
          else
            std::memcpy(o, row + ix * g.c, sizeof(float) * cg);
        }
      }
    }
  }
}

void col2im(const float* col, const ConvGeom& g, Index c0, Index cg, float* dx) {
  const Index K = g.cols(cg);
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < g.n; ++b) {
    float* xb = dx + b * g.h * g.w * g.c;
    for (Index oy = 0; oy < g.oh; ++oy) {
      const float* in = col + (b * g.oh + oy) * g.ow * K;
      for (Index ox = 0; ox < g.ow; ++ox, in += K) {
        const float* p = in;
        for (Index i = 0; i < g.kh; ++i) {
          const Index iy = oy * g.sh - g.padT + i * g.dh;
          if (iy < 0 || iy >= g.h) {
            p += g.kw * cg;
            continue;
          }
          float* row = xb + iy * g.w * g.c + c0;
          const Index ix0 = ox * g.sw - g.padL;
          for (Index j = 0; j < g.kw; ++j, p += cg) {
            const Index ix = ix0 + j * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            float* d = row + ix * g.c;
            for (Index ch = 0; ch < cg; ++ch) d[ch] += p[ch];
          }
        }
      }
    }
  }
}

std::string tupleToString(const std::vector<Index>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

}  // namespace tessel

namespace tessel {
std::vector<Index> configPadding2D(const json& config, const std::string& key,
                                   const std::string& node) {
  const json& v = config.at(key);
  auto bad = [&] {
    throw SpecError(SpecErrorKind::BadValue, node,
                    "config '" + key + "' = " + v.dump() +
                        ": expected an integer, (h, w) or ((top, bottom), (left, right)) of "
                        "non-negative integers");
  };
  std::vector<Index> out;
  if (v.is_number_integer()) {
    out.assign(4, v.get<Index>());
  } else if (v.is_array() && v.size() == 2 && v[0].is_number_integer() &&
             v[1].is_number_integer()) {
    out = {v[0].get<Index>(), v[0].get<Index>(), v[1].get<Index>(), v[1].get<Index>()};
  } else if (v.is_array() && v.size() == 2 && v[0].is_array() && v[1].is_array() &&
             v[0].size() == 2 && v[1].size() == 2) {
    for (const auto& p : v)
      for (const auto& e : p) {
        if (!e.is_number_integer()) bad();
        out.push_back(e.get<Index>());
      }
  } else {
    bad();
  }
  for (Index e : out)
    if (e < 0) bad();
  return out;
}
}  // namespace tessel
