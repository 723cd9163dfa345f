// Array's lazy side (Array.h): arrays backed by a RowSource, their row maps and views, and the
// materialised copy.
#include <cstring>

#include "engine/core/Error.h"
#include "engine/data/Array.h"
#include "engine/data/DTypeConversion.h"
#include "engine/data/RowSource.h"

namespace tessel {

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
  for (Index i = 0; i < n; ++i)
    storeValue(dtype_, dst + static_cast<size_t>(i) * es, v[static_cast<size_t>(i)]);
  a.scale = scale;
  a.offset = offset;
  return a;
}

}  // namespace tessel
