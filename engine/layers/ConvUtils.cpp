#include "engine/layers/ConvUtils.h"

#include <algorithm>
#include <array>
#include <cstring>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include <utility>

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

const Shape& requireSpatialInput(const std::vector<Shape>& inputs, int spatialRank,
                                 const std::string& className, const std::string& node) {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, node,
                    className + " takes 1 input, got " + std::to_string(inputs.size()));
  const Shape& in = inputs[0];
  if (spatialRank == 2)
    requireRank(in, 4, className, node, "(batch, height, width, channels)");
  else
    requireRank(in, 3, className, node, "(batch, steps, channels)");
  return in;
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

namespace {

// Short copies/fills (a few hundred bytes): inline AVX2 instead of a libc call per kernel row.
inline void copyFloats(float* d, const float* src, Index n) {
#ifdef __AVX2__
  Index i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_loadu_ps(src + i));
  if (i < n) {
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n - i)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(d + i, m, _mm256_maskload_ps(src + i, m));
  }
#else
  std::memcpy(d, src, sizeof(float) * size_t(n));
#endif
}

inline void zeroFloats(float* d, Index n) {
#ifdef __AVX2__
  Index i = 0;
  const __m256 z = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, z);
  if (i < n) {
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n - i)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(d + i, m, z);
  }
#else
  std::memset(d, 0, sizeof(float) * size_t(n));
#endif
}

// One output row `oy` of one sample: out (ow, K) ← patches of xb (h, w, c) channels [c0, c0+cg).
inline void im2colRow(const float* xb, const ConvGeom& g, Index c0, Index cg, Index oy,
                      float* out) {
  const Index K = g.cols(cg);
  for (Index ox = 0; ox < g.ow; ++ox, out += K) {
    float* o = out;
    for (Index i = 0; i < g.kh; ++i) {
      const Index iy = oy * g.sh - g.padT + i * g.dh;
      if (iy < 0 || iy >= g.h) {
        zeroFloats(o, g.kw * cg);
        o += g.kw * cg;
        continue;
      }
      const float* row = xb + iy * g.w * g.c + c0;
      const Index ix0 = ox * g.sw - g.padL;
      if (g.dw == 1 && cg == g.c && ix0 >= 0 && ix0 + g.kw <= g.w) {
        // Contiguous run of kw pixels with all channels.
        copyFloats(o, row + ix0 * g.c, g.kw * cg);
        o += g.kw * cg;
        continue;
      }
      for (Index j = 0; j < g.kw; ++j, o += cg) {
        const Index ix = ix0 + j * g.dw;
        if (ix < 0 || ix >= g.w)
          zeroFloats(o, cg);
        else
          copyFloats(o, row + ix * g.c, cg);
      }
    }
  }
}

// Adjoint of im2colRow: xb (h, w, c) channels [c0, c0+cg) += scatter of in (ow, K).
inline void col2imRow(const float* in, const ConvGeom& g, Index c0, Index cg, Index oy, float* xb) {
  const Index K = g.cols(cg);
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

}  // namespace

void im2col(const float* x, const ConvGeom& g, Index c0, Index cg, float* col) {
  const Index K = g.cols(cg);
  const Index nRows = g.n * g.oh;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < nRows; ++r) {
    const Index b = r / g.oh, oy = r % g.oh;
    im2colRow(x + b * g.h * g.w * g.c, g, c0, cg, oy, col + r * g.ow * K);
  }
}

void col2im(const float* col, const ConvGeom& g, Index c0, Index cg, float* dx) {
  const Index K = g.cols(cg);
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < g.n; ++b)
    for (Index oy = 0; oy < g.oh; ++oy)
      col2imRow(col + (b * g.oh + oy) * g.ow * K, g, c0, cg, oy, dx + b * g.h * g.w * g.c);
}

void im2colSample(const float* x, const ConvGeom& g, Index c0, Index cg, float* col) {
  const Index K = g.cols(cg);
  for (Index oy = 0; oy < g.oh; ++oy) im2colRow(x, g, c0, cg, oy, col + oy * g.ow * K);
}

void col2imSample(const float* col, const ConvGeom& g, Index c0, Index cg, float* dx) {
  const Index K = g.cols(cg);
  for (Index oy = 0; oy < g.oh; ++oy) col2imRow(col + oy * g.ow * K, g, c0, cg, oy, dx);
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

// ---- AVX-512 micro-kernel GEMM (runtime dispatch; the build targets x86-64-v3) ----
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define TESSEL_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))

namespace tessel {

namespace {

// C tile (mr rows, nv*16 columns, the last vector masked) = [C +] Σ_p A(i, p) B(p, :).
template <int MR, int NV>
TESSEL_AVX512 void gemmTile(Index k, const float* a, Index ars, Index acs, const float* b,
                            Index ldb, float* c, Index ldc, bool acc, __mmask16 last) {
  __m512 r[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) r[i][v] = _mm512_setzero_ps();
  for (Index p = 0; p < k; ++p) {
    const float* bp = b + p * ldb;
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      bv[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(last, bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);
    const float* ap = a + p * acs;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(ap[i * ars]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) r[i][v] = _mm512_fmadd_ps(ai, bv[v], r[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      float* cp = c + i * ldc + 16 * v;
      const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
      __m512 out = r[i][v];
      if (acc) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(m, cp));
      _mm512_mask_storeu_ps(cp, m, out);
    }
}

using TileFn = void (*)(Index, const float*, Index, Index, const float*, Index, float*, Index, bool,
                        __mmask16);

constexpr int rowsFor(int nv) {
  return nv >= 4 ? 6 : nv == 3 ? 8 : 12;
}

template <int NV, size_t... I>
constexpr std::array<TileFn, sizeof...(I)> tileTable(std::index_sequence<I...>) {
  return {&gemmTile<int(I) + 1, NV>...};
}

template <int NV>
TESSEL_AVX512 void gemmPanel(Index m, Index k, const float* a, Index ars, Index acs, const float* b,
                             Index ldb, float* c, Index ldc, bool acc, __mmask16 last) {
  constexpr int MR = rowsFor(NV);
  static constexpr auto table = tileTable<NV>(std::make_index_sequence<MR>());
  Index i = 0;
  for (; i + MR <= m; i += MR)
    gemmTile<MR, NV>(k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, acc, last);
  if (i < m)
    table[size_t(m - i - 1)](k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, acc, last);
}

}  // namespace

bool convGemmAvailable() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  return ok;
}

void convGemm(Index m, Index n, Index k, const float* a, Index ars, Index acs, const float* b,
              Index ldb, float* c, Index ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (Index i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  // Column panels of 64 (4 vectors); the rest as 1–3 vectors, the last masked.
  for (Index j = 0; j < n; j += 64) {
    const Index w = std::min<Index>(64, n - j);
    const int nv = int((w + 15) / 16);
    const int tail = int(w - 16 * (nv - 1));
    const __mmask16 last = __mmask16((1u << tail) - 1u);
    switch (nv) {
      case 4:
        gemmPanel<4>(m, k, a, ars, acs, b + j, ldb, c + j, ldc, accumulate, last);
        break;
      case 3:
        gemmPanel<3>(m, k, a, ars, acs, b + j, ldb, c + j, ldc, accumulate, last);
        break;
      case 2:
        gemmPanel<2>(m, k, a, ars, acs, b + j, ldb, c + j, ldc, accumulate, last);
        break;
      default:
        gemmPanel<1>(m, k, a, ars, acs, b + j, ldb, c + j, ldc, accumulate, last);
        break;
    }
  }
}

}  // namespace tessel

#else

namespace tessel {
bool convGemmAvailable() {
  return false;
}
void convGemm(Index, Index, Index, const float*, Index, Index, const float*, Index, float*, Index,
              bool) {}
}  // namespace tessel

#endif

namespace tessel {

Conv2DConfig parseConv2DConfig(const json& config, const std::string& className,
                               const std::string& node) {
  requireChannelsLast(config, node);
  Conv2DConfig c;
  c.kernel = configTuple(config, "kernel_size", 2, node);
  c.strides = configTuple(config, "strides", 2, node);
  c.dilation = configTuple(config, "dilation_rate", 2, node);
  c.padding = config.at("padding").get<std::string>();
  c.useBias = config.at("use_bias").get<bool>();
  if ((c.strides[0] > 1 || c.strides[1] > 1) && (c.dilation[0] > 1 || c.dilation[1] > 1))
    throw SpecError(SpecErrorKind::BadValue, node,
                    "strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)");
  c.act = FusedActivation(config.at("activation"), node);
  if (!config.at("activity_regularizer").is_null())
    throw SpecError(SpecErrorKind::BadValue, node,
                    "config 'activity_regularizer' is not supported by " + className +
                        " yet; use null (or an ActivityRegularization layer after it)");
  return c;
}

void checkConv2DInput(const std::vector<Shape>& inputs, const Conv2DConfig& c,
                      const std::string& className, const std::string& node, bool kernelMustFit) {
  const Shape& in = requireSpatialInput(inputs, 2, className, node);
  requireKnown(in, 3, node, "channels");
  if (!kernelMustFit || c.padding != "valid") return;
  for (size_t a = 0; a < 2; ++a) {
    const Index ek = (c.kernel[a] - 1) * c.dilation[a] + 1;
    if (in[1 + a] != kNone && ek > in[1 + a])
      throw SpecError(SpecErrorKind::ShapeMismatch, node,
                      "kernel " + tupleToString(c.kernel) + " is larger than the input " +
                          shapeToString(in) + " with padding 'valid'");
  }
}

namespace {

// Input row of output row oy at kernel row i; input column of output column ox at kernel column
// j (outside [0, h) / [0, w): padding).
inline Index tapRow(const ConvGeom& g, Index oy, Index i) {
  return oy * g.sh - g.padT + i * g.dh;
}
inline Index tapCol(const ConvGeom& g, Index ox, Index j) {
  return ox * g.sw - g.padL + j * g.dw;
}

// f(i, j, iy, ix) for each kernel tap (i, j) of output pixel (oy, ox) inside the input, i major.
template <class F>
inline void forEachTap(const ConvGeom& g, Index oy, Index ox, F&& f) {
  for (Index i = 0; i < g.kh; ++i) {
    const Index iy = tapRow(g, oy, i);
    if (iy < 0 || iy >= g.h) continue;
    for (Index j = 0; j < g.kw; ++j) {
      const Index ix = tapCol(g, ox, j);
      if (ix < 0 || ix >= g.w) continue;
      f(i, j, iy, ix);
    }
  }
}

}  // namespace

void depthwiseForward(const float* x, const ConvGeom& g, const float* k, Index dm, float* y) {
  const Index C = g.c, CO = C * dm;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < g.n * g.oh; ++r) {
    const Index b = r / g.oh, oy = r % g.oh;
    const float* xb = x + b * g.h * g.w * C;
    for (Index ox = 0; ox < g.ow; ++ox) {
      float* out = y + (r * g.ow + ox) * CO;
      std::fill(out, out + CO, 0.0f);
      forEachTap(g, oy, ox, [&](Index i, Index j, Index iy, Index ix) {
        const float* p = xb + (iy * g.w + ix) * C;
        const float* kk = k + (i * g.kw + j) * CO;
        if (dm == 1)
          for (Index c = 0; c < C; ++c) out[c] += p[c] * kk[c];
        else
          for (Index c = 0; c < C; ++c)
            for (Index m = 0; m < dm; ++m) out[c * dm + m] += p[c] * kk[c * dm + m];
      });
    }
  }
}

void depthwiseBackward(const float* x, const ConvGeom& g, const float* k, Index dm, const float* dy,
                       float* dk, float* dx) {
  const Index C = g.c, CO = C * dm;
  if (dk) {
    // One kernel tap (i, j) per task: dk[i, j, :, :] = Σ_{n, oy, ox} x · dy.
#pragma omp parallel for schedule(dynamic)
    for (Index t = 0; t < g.kh * g.kw; ++t) {
      const Index i = t / g.kw, j = t % g.kw;
      float* d = dk + t * CO;
      std::fill(d, d + CO, 0.0f);
      for (Index b = 0; b < g.n; ++b)
        for (Index oy = 0; oy < g.oh; ++oy) {
          const Index iy = tapRow(g, oy, i);
          if (iy < 0 || iy >= g.h) continue;
          for (Index ox = 0; ox < g.ow; ++ox) {
            const Index ix = tapCol(g, ox, j);
            if (ix < 0 || ix >= g.w) continue;
            const float* p = x + ((b * g.h + iy) * g.w + ix) * C;
            const float* e = dy + ((b * g.oh + oy) * g.ow + ox) * CO;
            for (Index c = 0; c < C; ++c)
              for (Index m = 0; m < dm; ++m) d[c * dm + m] += p[c] * e[c * dm + m];
          }
        }
    }
  }
  if (!dx) return;
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < g.n; ++b) {
    float* db = dx + b * g.h * g.w * C;
    std::fill(db, db + g.h * g.w * C, 0.0f);
    for (Index oy = 0; oy < g.oh; ++oy)
      for (Index ox = 0; ox < g.ow; ++ox) {
        const float* e = dy + ((b * g.oh + oy) * g.ow + ox) * CO;
        forEachTap(g, oy, ox, [&](Index i, Index j, Index iy, Index ix) {
          float* p = db + (iy * g.w + ix) * C;
          const float* kk = k + (i * g.kw + j) * CO;
          for (Index c = 0; c < C; ++c) {
            float s = 0;
            for (Index m = 0; m < dm; ++m) s += e[c * dm + m] * kk[c * dm + m];
            p[c] += s;
          }
        });
      }
  }
}

void biasActivationForward(float* y, Index M, Index F, const float* bias,
                           const FusedActivation& act, Tensor& z) {
  const bool keepZ = act.needsPreactivation();
  if (keepZ) z.resize({M, F});
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < M; ++r) {
    float* p = y + r * F;
    if (bias)
      for (Index c = 0; c < F; ++c) p[c] += bias[c];
    if (keepZ) std::copy(p, p + F, z.data() + r * F);
    act.forward(p, 1, F);
  }
}

const float* biasActivationBackward(const float* dy, const float* y, const Tensor& z, Index M,
                                    Index F, const FusedActivation& act, Tensor& dz,
                                    float* biasGrad) {
  const float* dzp = dy;
  if (!act.isLinear()) {
    dz.resize({M, F});
    act.backward(act.needsPreactivation() ? z.data() : nullptr, y, dy, dz.data(), M, F);
    dzp = dz.data();
  }
  if (biasGrad)
    Eigen::Map<Eigen::VectorXf>(biasGrad, F).noalias() =
        ConstMatrixMap(dzp, M, F).colwise().sum().transpose();
  return dzp;
}

}  // namespace tessel
