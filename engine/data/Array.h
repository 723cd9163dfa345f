#pragma once
// An n-dimensional array of data as loaded (IDX, .npy, CSV): kept in its own dtype (uint8 images
// stay uint8) with an affine map applied when a batch is gathered into float32:
//   value = raw * scale + offset       (e.g. StandardScaler: scale = 1/std, offset = -mean/std)
// Dimension 0 is the sample axis.
//
// Copies of an Array share the byte buffer (cheap to pass around, as numpy views); scale and
// offset belong to each copy. clone() makes a deep copy. An Array with an empty shape and one
// element is a 0-d scalar (as numpy's shape ()); the default Array holds nothing (size 0).
//
// A LAZY Array (fromRowSource) holds no bytes: it is backed by a RowSource (e.g. the decoded
// images of an image folder, behind a bounded cache) plus an optional row map (which source row
// each row of this array is), so a data set larger than memory can be trained on. On a lazy array
//   - gather / slice fetch the rows from the source (raw values as float, then the affine map);
//   - rowsRange / takeRows return lazy VIEWS (a composed row map, nothing is decoded); reshaped
//     keeps the source; clone shares it (sources are immutable);
//   - value / raw decode the element's row each call (fine for a few values, slow in a loop);
//   - toTensor / toFloat32 MATERIALISE the whole array (every row is read into memory);
//   - bytes / dataAs throw Error ("... is read lazily from <source>; use gather()") and
//     byteSize() is 0 (memory estimates use rowSource()->cacheBytes()).
// Raw values pass through float32, so lazy sources of uint8/int8/int16/float32 values give the
// same numbers as the eager array, bit for bit.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel {

class RowSource;

// Int16 was appended for IDX (code 0x0B) and numpy '<i2'.
enum class DType { Float32, Float64, UInt8, Int8, Int32, Int64, Bool, Int16 };
const char* dtypeName(DType t);  // numpy-style: "float32", "uint8", ...
size_t dtypeSize(DType t);

class Array {
 public:
  Array() = default;
  Array(DType dtype, Shape shape);  // zero-filled
  // Takes raw little-endian bytes in C order; throws Error when the byte count does not match.
  Array(DType dtype, Shape shape, std::vector<std::uint8_t> bytes);
  static Array fromTensor(const Tensor& t);
  // Values converted to dtype (truncation for integer types, as numpy's astype).
  static Array fromValues(DType dtype, Shape shape, const std::vector<double>& values);
  // A lazy array over every row of source: shape (source->rows(), rowShape...), its dtype.
  static Array fromRowSource(std::shared_ptr<const RowSource> source);

  bool isLazy() const { return source_ != nullptr; }
  // The source's name() for a lazy array, "" otherwise.
  std::string lazySource() const;
  const std::shared_ptr<const RowSource>& rowSource() const { return source_; }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  Index rows() const { return shape_.empty() ? 0 : shape_[0]; }
  Index rowSize() const;  // product of dims after the first
  Index size() const;
  // Throw Error on a lazy array (its rows are not in memory).
  std::uint8_t* bytes() {
    if (source_) throwLazy("bytes");
    return data_->data();
  }
  const std::uint8_t* bytes() const {
    if (source_) throwLazy("bytes");
    return data_->data();
  }
  size_t byteSize() const { return data_ ? data_->size() : 0; }  // 0 for a lazy array
  // Typed view of the raw buffer; throws Error when sizeof(T) is not the dtype's size.
  template <class T>
  T* dataAs() {
    checkElementSize(sizeof(T));
    return reinterpret_cast<T*>(bytes());
  }
  template <class T>
  const T* dataAs() const {
    checkElementSize(sizeof(T));
    return reinterpret_cast<const T*>(bytes());
  }

  float scale = 1.0f, offset = 0.0f;  // applied by value(), gather(), toTensor()
  bool hasAffine() const { return scale != 1.0f || offset != 0.0f; }
  float value(Index flatIndex) const;  // raw * scale + offset
  double raw(Index flatIndex) const;   // the stored value, no affine map

  // Copies rows idx[0..n) into out (resized to (n, shape[1:]...)), converting to float32 and
  // applying the affine map. No allocation when out already has the capacity.
  void gather(const Index* idx, Index n, Tensor& out) const;
  // Contiguous rows [begin, begin+n).
  void slice(Index begin, Index n, Tensor& out) const;
  // Materialises a lazy array.
  Tensor toTensor() const;
  // A new array holding rows [begin, begin+n) (shares nothing; keeps dtype, scale and offset).
  // On a lazy array: a lazy view of those rows (materialised only when a row of this array does
  // not hold a whole number of source rows, after an unusual reshape).
  Array rowsRange(Index begin, Index n) const;
  // A new array holding rows idx[0..n) in that order (keeps dtype, scale and offset); a lazy
  // view on a lazy array (as rowsRange).
  Array takeRows(const std::vector<Index>& idx) const;
  // Same data, new shape (same element count; dimension 0 may change).
  Array reshaped(const Shape& shape) const;
  // Deep copy (own buffer); a lazy array's copy shares the (immutable) source.
  Array clone() const;
  // A float32 array holding value(i) (affine applied; scale 1, offset 0 afterwards). Materialises
  // a lazy array.
  Array toFloat32() const;

 private:
  void checkElementSize(size_t size) const;
  [[noreturn]] void throwLazy(const char* what) const;
  // Lazy arrays: "units" are the source rows this array is made of (through rowMap_).
  Index unitCount() const;
  Index unitRow(Index unit) const;
  // Raw values of units [first, first + n) into dst (n * source row size floats).
  void lazyUnits(Index first, Index n, float* dst) const;
  // Raw values of flat elements [begin, begin + count) into dst.
  void lazyFlat(Index begin, Index count, float* dst) const;
  // The lazy view made of the given units (source rows of this array's map).
  Array lazyView(Shape shape, std::vector<Index> units) const;
  // An eager copy of a lazy array (dtype kept; values through float32).
  Array materialized() const;

  DType dtype_ = DType::Float32;
  Shape shape_;
  std::shared_ptr<std::vector<std::uint8_t>> data_ = std::make_shared<std::vector<std::uint8_t>>();
  std::shared_ptr<const RowSource> source_;  // set: a lazy array
  // Lazy: source row of each unit; null = units 0..source_->rows()-1 in order.
  std::shared_ptr<const std::vector<Index>> rowMap_;
};

}  // namespace tessel
