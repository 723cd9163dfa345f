#include "engine/data/Array.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/core/Error.h"
#include "engine/data/RowSource.h"

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

template <class T>
void storeValue(std::uint8_t* dst, double v) {
  T x;
  if constexpr (std::is_same_v<T, bool>)
    x = v != 0.0;
  else
    x = static_cast<T>(v);
  std::memcpy(dst, &x, sizeof(T));
}

}  // namespace

Array::Array(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  for (Index d : shape_)
    if (d < 0) throw Error("Array: negative dimension in shape " + shapeToString(shape_));
  data_->assign(static_cast<size_t>(shapeProduct(shape_)) * dtypeSize(dtype_), 0);
}

Array::Array(DType dtype, Shape shape, std::vector<std::uint8_t> bytes)
    : dtype_(dtype), shape_(std::move(shape)) {
  for (Index d : shape_)
    if (d < 0) throw Error("Array: negative dimension in shape " + shapeToString(shape_));
  size_t expected = static_cast<size_t>(shapeProduct(shape_)) * dtypeSize(dtype_);
  if (bytes.size() != expected)
    throw Error("Array: " + std::to_string(bytes.size()) + " bytes do not fill " +
                std::string(dtypeName(dtype_)) + " shape " + shapeToString(shape_) + " (" +
                std::to_string(expected) + " bytes)");
  *data_ = std::move(bytes);
}

Array Array::fromTensor(const Tensor& t) {
  if (t.shape().empty() && t.size() == 0) return Array();
  Array a(DType::Float32, t.shape());
  if (t.size()) std::memcpy(a.bytes(), t.data(), static_cast<size_t>(t.size()) * sizeof(float));
  return a;
}

Array Array::fromValues(DType dtype, Shape shape, const std::vector<double>& values) {
  Array a(dtype, std::move(shape));
  if (static_cast<Index>(values.size()) != a.size())
    throw Error("Array: " + std::to_string(values.size()) + " values do not fill shape " +
                shapeToString(a.shape()));
  size_t es = dtypeSize(dtype);
  for (size_t i = 0; i < values.size(); ++i) {
    std::uint8_t* p = a.bytes() + i * es;
    switch (dtype) {
      case DType::Float32:
        storeValue<float>(p, values[i]);
        break;
      case DType::Float64:
        storeValue<double>(p, values[i]);
        break;
      case DType::UInt8:
        storeValue<std::uint8_t>(p, values[i]);
        break;
      case DType::Int8:
        storeValue<std::int8_t>(p, values[i]);
        break;
      case DType::Int16:
        storeValue<std::int16_t>(p, values[i]);
        break;
      case DType::Int32:
        storeValue<std::int32_t>(p, values[i]);
        break;
      case DType::Int64:
        storeValue<std::int64_t>(p, values[i]);
        break;
      case DType::Bool:
        storeValue<bool>(p, values[i]);
        break;
    }
  }
  return a;
}

Index Array::rowSize() const {
  if (shape_.empty()) return size();
  Index p = 1;
  for (size_t i = 1; i < shape_.size(); ++i) p *= shape_[i];
  return p;
}

Index Array::size() const {
  if (source_) return shapeProduct(shape_);
  return static_cast<Index>(byteSize() / dtypeSize(dtype_));
}

Array Array::fromRowSource(std::shared_ptr<const RowSource> source) {
  if (!source) throw Error("Array::fromRowSource: no source");
  Array a;
  a.dtype_ = source->dtype();
  a.shape_ = {source->rows()};
  for (Index d : source->rowShape()) {
    if (d < 0) throw Error("Array: negative dimension in the rows of " + source->name());
    a.shape_.push_back(d);
  }
  a.source_ = std::move(source);
  return a;
}

std::string Array::lazySource() const {
  return source_ ? source_->name() : std::string();
}

void Array::throwLazy(const char* what) const {
  throw Error(std::string("Array::") + what + ": the data is read lazily from " + source_->name() +
              "; use gather() (or toTensor() to load it all into memory)");
}

Index Array::unitCount() const {
  return rowMap_ ? static_cast<Index>(rowMap_->size()) : source_->rows();
}

Index Array::unitRow(Index unit) const {
  return rowMap_ ? (*rowMap_)[static_cast<size_t>(unit)] : unit;
}

void Array::lazyUnits(Index first, Index n, float* dst) const {
  if (n <= 0) return;
  if (!rowMap_) {
    thread_local std::vector<Index> rows;
    rows.resize(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = first + i;
    source_->gatherRaw(rows.data(), n, dst);
  } else {
    source_->gatherRaw(rowMap_->data() + first, n, dst);
  }
}

void Array::lazyFlat(Index begin, Index count, float* dst) const {
  if (count <= 0) return;
  const Index srs = source_->rowSize();
  const Index u0 = begin / srs, u1 = (begin + count - 1) / srs;
  if (begin == u0 * srs && count == (u1 - u0 + 1) * srs) {
    lazyUnits(u0, u1 - u0 + 1, dst);
    return;
  }
  thread_local std::vector<float> scratch;
  scratch.resize(static_cast<size_t>((u1 - u0 + 1) * srs));
  lazyUnits(u0, u1 - u0 + 1, scratch.data());
  std::memcpy(dst, scratch.data() + (begin - u0 * srs), static_cast<size_t>(count) * sizeof(float));
}

Array Array::lazyView(Shape shape, std::vector<Index> units) const {
  Array a = *this;
  a.shape_ = std::move(shape);
  for (Index& u : units) u = unitRow(u);
  a.rowMap_ = std::make_shared<const std::vector<Index>>(std::move(units));
  return a;
}

Array Array::materialized() const {
  Array a(dtype_, shape_);
  const Index n = size();
  std::vector<float> v(static_cast<size_t>(n));
  lazyFlat(0, n, v.data());
  const size_t es = dtypeSize(dtype_);
  std::uint8_t* dst = a.data_->data();
  for (Index i = 0; i < n; ++i) {
    std::uint8_t* p = dst + static_cast<size_t>(i) * es;
    const double x = v[static_cast<size_t>(i)];
    switch (dtype_) {
      case DType::Float32:
        storeValue<float>(p, x);
        break;
      case DType::Float64:
        storeValue<double>(p, x);
        break;
      case DType::UInt8:
        storeValue<std::uint8_t>(p, x);
        break;
      case DType::Int8:
        storeValue<std::int8_t>(p, x);
        break;
      case DType::Int16:
        storeValue<std::int16_t>(p, x);
        break;
      case DType::Int32:
        storeValue<std::int32_t>(p, x);
        break;
      case DType::Int64:
        storeValue<std::int64_t>(p, x);
        break;
      case DType::Bool:
        storeValue<bool>(p, x);
        break;
    }
  }
  a.scale = scale;
  a.offset = offset;
  return a;
}

void Array::checkElementSize(size_t size) const {
  if (size != dtypeSize(dtype_))
    throw Error("Array: element type of size " + std::to_string(size) + " does not match dtype " +
                dtypeName(dtype_));
}

float Array::value(Index flatIndex) const {
  if (flatIndex < 0 || flatIndex >= size())
    throw Error("Array: index " + std::to_string(flatIndex) + " out of range for " +
                std::to_string(size()) + " elements");
  float v;
  if (source_) {
    lazyFlat(flatIndex, 1, &v);
    return std::fma(v, scale, offset);
  }
  convertRun(dtype_, bytes() + static_cast<size_t>(flatIndex) * dtypeSize(dtype_), 1, &v, scale,
             offset);
  return v;
}

double Array::raw(Index flatIndex) const {
  if (flatIndex < 0 || flatIndex >= size())
    throw Error("Array: index " + std::to_string(flatIndex) + " out of range for " +
                std::to_string(size()) + " elements");
  if (source_) {
    float v;
    lazyFlat(flatIndex, 1, &v);
    return v;
  }
  const std::uint8_t* p = bytes() + static_cast<size_t>(flatIndex) * dtypeSize(dtype_);
  auto load = [p](auto x) {
    std::memcpy(&x, p, sizeof(x));
    return static_cast<double>(x);
  };
  switch (dtype_) {
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

namespace {

// Resizes out to (n, shape[1:]...) without allocating when the shape already matches or the
// tensor has the capacity (the scratch shape keeps its own capacity between calls).
void resizeRows(const Shape& shape, Index n, Tensor& out) {
  const Shape& cur = out.shape();
  if (cur.size() == shape.size() && !cur.empty() && cur[0] == n &&
      std::equal(cur.begin() + 1, cur.end(), shape.begin() + 1))
    return;
  thread_local Shape scratch;
  scratch.assign(shape.begin(), shape.end());
  scratch[0] = n;
  out.resize(scratch);
}

}  // namespace

void Array::gather(const Index* idx, Index n, Tensor& out) const {
  if (shape_.empty()) throw Error("Array::gather: a 0-d array has no rows");
  if (n < 0) throw Error("Array::gather: negative row count");
  const Index rs = rowSize(), nrows = rows();
  const size_t rowBytes = static_cast<size_t>(rs) * dtypeSize(dtype_);
  resizeRows(shape_, n, out);
  float* dst = out.data();
  if (source_) {
    for (Index i = 0; i < n; ++i)
      if (idx[i] < 0 || idx[i] >= nrows)
        throw Error("Array::gather: row " + std::to_string(idx[i]) + " out of range for " +
                    std::to_string(nrows) + " rows");
    if (rs == source_->rowSize()) {
      // One source row per row: map the indices and fetch them in one call.
      thread_local std::vector<Index> mapped;
      mapped.resize(static_cast<size_t>(n));
      for (Index i = 0; i < n; ++i) mapped[static_cast<size_t>(i)] = unitRow(idx[i]);
      source_->gatherRaw(mapped.data(), n, dst);
    } else {
      for (Index i = 0; i < n; ++i) lazyFlat(idx[i] * rs, rs, dst + i * rs);
    }
    affineInPlace(dst, n * rs, scale, offset);
    return;
  }
  const std::uint8_t* src = bytes();
  for (Index i = 0; i < n; ++i) {
    Index r = idx[i];
    if (r < 0 || r >= nrows)
      throw Error("Array::gather: row " + std::to_string(r) + " out of range for " +
                  std::to_string(nrows) + " rows");
    convertRun(dtype_, src + static_cast<size_t>(r) * rowBytes, rs, dst + i * rs, scale, offset);
  }
}

void Array::slice(Index begin, Index n, Tensor& out) const {
  if (shape_.empty()) throw Error("Array::slice: a 0-d array has no rows");
  if (begin < 0 || n < 0 || begin + n > rows())
    throw Error("Array::slice: rows [" + std::to_string(begin) + ", " + std::to_string(begin + n) +
                ") out of range for " + std::to_string(rows()) + " rows");
  const Index rs = rowSize();
  if (source_) {
    resizeRows(shape_, n, out);
    lazyFlat(begin * rs, n * rs, out.data());
    affineInPlace(out.data(), n * rs, scale, offset);
    return;
  }
  resizeRows(shape_, n, out);
  convertRun(dtype_, bytes() + static_cast<size_t>(begin * rs) * dtypeSize(dtype_), n * rs,
             out.data(), scale, offset);
}

Tensor Array::toTensor() const {
  Tensor t;
  if (shape_.empty()) {
    t.resize({});
    if (size() == 0) return Tensor();
    if (source_) {
      t.data()[0] = value(0);
      return t;
    }
    convertRun(dtype_, bytes(), 1, t.data(), scale, offset);
    return t;
  }
  slice(0, rows(), t);
  return t;
}

Array Array::rowsRange(Index begin, Index n) const {
  if (shape_.empty()) throw Error("Array::rowsRange: a 0-d array has no rows");
  if (begin < 0 || n < 0 || begin + n > rows())
    throw Error("Array::rowsRange: rows [" + std::to_string(begin) + ", " +
                std::to_string(begin + n) + ") out of range for " + std::to_string(rows()) +
                " rows");
  Shape s = shape_;
  s[0] = n;
  if (source_) {
    const Index rs = rowSize(), srs = source_->rowSize();
    if (srs == 0 || rs % srs != 0) return materialized().rowsRange(begin, n);
    const Index k = rs / srs;  // source rows per row
    std::vector<Index> units(static_cast<size_t>(n * k));
    for (Index i = 0; i < n * k; ++i) units[static_cast<size_t>(i)] = begin * k + i;
    return lazyView(std::move(s), std::move(units));
  }
  const size_t rowBytes = static_cast<size_t>(rowSize()) * dtypeSize(dtype_);
  std::vector<std::uint8_t> b(bytes() + static_cast<size_t>(begin) * rowBytes,
                              bytes() + static_cast<size_t>(begin + n) * rowBytes);
  Array a(dtype_, std::move(s), std::move(b));
  a.scale = scale;
  a.offset = offset;
  return a;
}

Array Array::takeRows(const std::vector<Index>& idx) const {
  if (shape_.empty()) throw Error("Array::takeRows: a 0-d array has no rows");
  Shape s = shape_;
  s[0] = static_cast<Index>(idx.size());
  if (source_) {
    const Index rs = rowSize(), srs = source_->rowSize();
    if (srs == 0 || rs % srs != 0) return materialized().takeRows(idx);
    const Index k = rs / srs;
    std::vector<Index> units;
    units.reserve(idx.size() * static_cast<size_t>(k));
    for (Index r : idx) {
      if (r < 0 || r >= rows())
        throw Error("Array::takeRows: row " + std::to_string(r) + " out of range for " +
                    std::to_string(rows()) + " rows");
      for (Index j = 0; j < k; ++j) units.push_back(r * k + j);
    }
    return lazyView(std::move(s), std::move(units));
  }
  Array a(dtype_, std::move(s));
  const size_t rowBytes = static_cast<size_t>(rowSize()) * dtypeSize(dtype_);
  for (size_t i = 0; i < idx.size(); ++i) {
    Index r = idx[i];
    if (r < 0 || r >= rows())
      throw Error("Array::takeRows: row " + std::to_string(r) + " out of range for " +
                  std::to_string(rows()) + " rows");
    if (rowBytes)
      std::memcpy(a.bytes() + i * rowBytes, bytes() + static_cast<size_t>(r) * rowBytes, rowBytes);
  }
  a.scale = scale;
  a.offset = offset;
  return a;
}

Array Array::reshaped(const Shape& shape) const {
  Shape s = shape;
  int unknown = -1;
  Index known = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == kNone) {
      if (unknown >= 0) throw Error("Array::reshaped: more than one -1 in " + shapeToString(shape));
      unknown = static_cast<int>(i);
    } else if (s[i] < 0) {
      throw Error("Array::reshaped: negative dimension in " + shapeToString(shape));
    } else {
      known *= s[i];
    }
  }
  if (unknown >= 0) {
    if (known == 0 || size() % known != 0)
      throw Error("Array::reshaped: cannot reshape " + shapeToString(shape_) + " into " +
                  shapeToString(shape));
    s[static_cast<size_t>(unknown)] = size() / known;
  }
  if (shapeProduct(s) != size())
    throw Error("Array::reshaped: cannot reshape " + shapeToString(shape_) + " (" +
                std::to_string(size()) + " elements) into " + shapeToString(shape));
  Array a = *this;
  a.shape_ = std::move(s);
  return a;
}

Array Array::clone() const {
  Array a = *this;
  if (source_) return a;  // the source is immutable: sharing it is a deep copy
  a.data_ = std::make_shared<std::vector<std::uint8_t>>(*data_);
  return a;
}

Array Array::toFloat32() const {
  Array a(DType::Float32, shape_);
  if (source_) {
    // In chunks of whole source rows so that no second copy of the set is made.
    const Index srs = source_->rowSize(), units = unitCount();
    float* dst = a.dataAs<float>();
    constexpr Index kChunk = 256;
    for (Index u = 0; u < units; u += kChunk) {
      const Index m = std::min(kChunk, units - u);
      lazyUnits(u, m, dst + u * srs);
    }
    affineInPlace(dst, a.size(), scale, offset);
    return a;
  }
  if (size()) convertRun(dtype_, bytes(), size(), a.dataAs<float>(), scale, offset);
  return a;
}

}  // namespace tessel
