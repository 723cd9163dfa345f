#pragma once
// An n-dimensional array of data as loaded (IDX, .npy, CSV): kept in its own dtype (uint8 images
// stay uint8) with an affine map applied when a batch is gathered into float32:
//   value = raw * scale + offset       (e.g. StandardScaler: scale = 1/std, offset = -mean/std)
// Dimension 0 is the sample axis.
//
// Copies of an Array share the byte buffer (cheap to pass around, as numpy views); scale and
// offset belong to each copy. clone() makes a deep copy. An Array with an empty shape and one
// element is a 0-d scalar (as numpy's shape ()); the default Array holds nothing (size 0).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel {

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

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  Index rows() const { return shape_.empty() ? 0 : shape_[0]; }
  Index rowSize() const;  // product of dims after the first
  Index size() const;
  std::uint8_t* bytes() { return data_->data(); }
  const std::uint8_t* bytes() const { return data_->data(); }
  size_t byteSize() const { return data_ ? data_->size() : 0; }
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
  Tensor toTensor() const;
  // A new array holding rows [begin, begin+n) (shares nothing; keeps dtype, scale and offset).
  Array rowsRange(Index begin, Index n) const;
  // A new array holding rows idx[0..n) in that order (keeps dtype, scale and offset).
  Array takeRows(const std::vector<Index>& idx) const;
  // Same data, new shape (same element count; dimension 0 may change).
  Array reshaped(const Shape& shape) const;
  // Deep copy (own buffer).
  Array clone() const;
  // A float32 array holding value(i) (affine applied; scale 1, offset 0 afterwards).
  Array toFloat32() const;

 private:
  void checkElementSize(size_t size) const;

  DType dtype_ = DType::Float32;
  Shape shape_;
  std::shared_ptr<std::vector<std::uint8_t>> data_ = std::make_shared<std::vector<std::uint8_t>>();
};

}  // namespace tessel
