#include "engine/data/DTypeConversion.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define TESSEL_ARRAY_AVX2 1
#endif

namespace tessel {

const char* dtypeName(DType t) {
  switch (t) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::UInt8:
      return "uint8";
    case DType::Int8:
      return "int8";
    case DType::Int16:
      return "int16";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
    case DType::Bool:
      return "bool";
  }
  return "unknown";
}

size_t dtypeSize(DType t) {
  switch (t) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::UInt8:
      return 1;
    case DType::Int8:
      return 1;
    case DType::Int16:
      return 2;
    case DType::Int32:
      return 4;
    case DType::Int64:
      return 8;
    case DType::Bool:
      return 1;
  }
  return 1;
}

namespace {

// One element: raw * s + o. Wide types (int32, int64, float64) go through double so that large
// values keep their precision; the others use a single-precision FMA (the vector paths below give
// bit-identical results to this scalar path).
template <class T>
inline float affine(T raw, float s, float o) {
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> ||
                std::is_same_v<T, std::int32_t>)
    return static_cast<float>(
        std::fma(static_cast<double>(raw), static_cast<double>(s), static_cast<double>(o)));
  else
    return std::fma(static_cast<float>(raw), s, o);
}

template <class T>
void convertGeneric(const std::uint8_t* srcBytes, Index n, float* dst, float s, float o) {
  const T* src = reinterpret_cast<const T*>(srcBytes);
  for (Index i = 0; i < n; ++i) dst[i] = affine<T>(src[i], s, o);
}

// uint8 / int8 -> float32 with FMA, 32 elements per iteration.
template <bool Signed>
void convertBytes(const std::uint8_t* src, Index n, float* dst, float s, float o) {
  Index i = 0;
#ifdef TESSEL_ARRAY_AVX2
  const __m256 vs = _mm256_set1_ps(s), vo = _mm256_set1_ps(o);
  auto widen = [](__m128i b8) {
    if constexpr (Signed)
      return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b8));
    else
      return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b8));
  };
  for (; i + 32 <= n; i += 32) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16));
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(widen(a), vs, vo));
    _mm256_storeu_ps(dst + i + 8, _mm256_fmadd_ps(widen(_mm_srli_si128(a, 8)), vs, vo));
    _mm256_storeu_ps(dst + i + 16, _mm256_fmadd_ps(widen(b), vs, vo));
    _mm256_storeu_ps(dst + i + 24, _mm256_fmadd_ps(widen(_mm_srli_si128(b, 8)), vs, vo));
  }
  for (; i + 8 <= n; i += 8) {
    __m128i a = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(widen(a), vs, vo));
  }
#endif
  for (; i < n; ++i) {
    if constexpr (Signed)
      dst[i] = affine<std::int8_t>(static_cast<std::int8_t>(src[i]), s, o);
    else
      dst[i] = affine<std::uint8_t>(src[i], s, o);
  }
}

void convertFloat(const std::uint8_t* srcBytes, Index n, float* dst, float s, float o) {
  if (s == 1.0f && o == 0.0f) {
    std::memcpy(dst, srcBytes, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  const float* src = reinterpret_cast<const float*>(srcBytes);
  Index i = 0;
#ifdef TESSEL_ARRAY_AVX2
  const __m256 vs = _mm256_set1_ps(s), vo = _mm256_set1_ps(o);
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(_mm256_loadu_ps(src + i), vs, vo));
#endif
  for (; i < n; ++i) dst[i] = std::fma(src[i], s, o);
}

template <class T>
void storeTyped(std::uint8_t* dst, double v) {
  T x;
  if constexpr (std::is_same_v<T, bool>)
    x = v != 0.0;
  else
    x = static_cast<T>(v);
  std::memcpy(dst, &x, sizeof(T));
}

}  // namespace

// n elements of type t starting at src -> dst (float32), affine applied.
void convertRun(DType t, const std::uint8_t* src, Index n, float* dst, float s, float o) {
  switch (t) {
    case DType::Float32:
      convertFloat(src, n, dst, s, o);
      return;
    case DType::Float64:
      convertGeneric<double>(src, n, dst, s, o);
      return;
    case DType::UInt8:
    case DType::Bool:
      convertBytes<false>(src, n, dst, s, o);
      return;
    case DType::Int8:
      convertBytes<true>(src, n, dst, s, o);
      return;
    case DType::Int16:
      convertGeneric<std::int16_t>(src, n, dst, s, o);
      return;
    case DType::Int32:
      convertGeneric<std::int32_t>(src, n, dst, s, o);
      return;
    case DType::Int64:
      convertGeneric<std::int64_t>(src, n, dst, s, o);
      return;
  }
}

// dst[i] = raw[i] * s + o in place (the float path of convertFloat: bit-identical to it).
void affineInPlace(float* dst, Index n, float s, float o) {
  if (s == 1.0f && o == 0.0f) return;
  Index i = 0;
#ifdef TESSEL_ARRAY_AVX2
  const __m256 vs = _mm256_set1_ps(s), vo = _mm256_set1_ps(o);
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(_mm256_loadu_ps(dst + i), vs, vo));
#endif
  for (; i < n; ++i) dst[i] = std::fma(dst[i], s, o);
}

void storeValue(DType t, std::uint8_t* p, double v) {
  switch (t) {
    case DType::Float32:
      storeTyped<float>(p, v);
      return;
    case DType::Float64:
      storeTyped<double>(p, v);
      return;
    case DType::UInt8:
      storeTyped<std::uint8_t>(p, v);
      return;
    case DType::Int8:
      storeTyped<std::int8_t>(p, v);
      return;
    case DType::Int16:
      storeTyped<std::int16_t>(p, v);
      return;
    case DType::Int32:
      storeTyped<std::int32_t>(p, v);
      return;
    case DType::Int64:
      storeTyped<std::int64_t>(p, v);
      return;
    case DType::Bool:
      storeTyped<bool>(p, v);
      return;
  }
}

double loadValue(DType t, const std::uint8_t* p) {
  auto load = [p](auto x) {
    std::memcpy(&x, p, sizeof(x));
    return static_cast<double>(x);
  };
  switch (t) {
    case DType::Float32:
      return load(float{});
    case DType::Float64:
      return load(double{});
    case DType::UInt8:
    case DType::Bool:
      return load(std::uint8_t{});
    case DType::Int8:
      return load(std::int8_t{});
    case DType::Int16:
      return load(std::int16_t{});
    case DType::Int32:
      return load(std::int32_t{});
    case DType::Int64:
      return load(std::int64_t{});
  }
  return 0.0;
}

}  // namespace tessel
