#include "engine/data/Array.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/data/DTypeConversion.h"
#include "engine/data/RowSource.h"

// Array's eager side: construction, element access, gather/slice into float32 tensors, row
// selections, reshapes and copies. The lazy side is in ArrayLazy.cpp, the element conversions in
// DTypeConversion.cpp.

namespace tessel {

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
  for (size_t i = 0; i < values.size(); ++i) storeValue(dtype, a.bytes() + i * es, values[i]);
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
  return loadValue(dtype_, bytes() + static_cast<size_t>(flatIndex) * dtypeSize(dtype_));
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
