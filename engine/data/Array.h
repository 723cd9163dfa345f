#pragma once
// An n-dimensional array of data as loaded (IDX, .npy, CSV): kept in its own dtype (uint8 images
// stay uint8) with an affine map applied when a batch is gathered into float32:
//   value = raw * scale + offset       (e.g. StandardScaler: scale = 1/std, offset = -mean/std)
// Dimension 0 is the sample axis.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel {

enum class DType { Float32, Float64, UInt8, Int8, Int32, Int64, Bool };
const char* dtypeName(DType t);  // numpy-style: "float32", "uint8", ...
size_t dtypeSize(DType t);

class Array {
 public:
  Array() = default;
  Array(DType dtype, Shape shape);  // zero-filled
  static Array fromTensor(const Tensor& t);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  Index rows() const { return shape_.empty() ? 0 : shape_[0]; }
  Index rowSize() const;  // product of dims after the first
  Index size() const;
  std::uint8_t* bytes() { return data_->data(); }
  const std::uint8_t* bytes() const { return data_->data(); }
  size_t byteSize() const { return data_ ? data_->size() : 0; }

  float scale = 1.0f, offset = 0.0f;  // applied by value(), gather(), toTensor()
  float value(Index flatIndex) const;    // raw * scale + offset

  // Copies rows idx[0..n) into out (resized to (n, shape[1:]...)), converting to float32 and
  // applying the affine map. No allocation when out already has the capacity.
  void gather(const Index* idx, Index n, Tensor& out) const;
  // Contiguous rows [begin, begin+n).
  void slice(Index begin, Index n, Tensor& out) const;
  Tensor toTensor() const;
  // A new array holding rows [begin, begin+n) (shares nothing).
  Array rowsRange(Index begin, Index n) const;
  // Same data, new shape (same element count; dimension 0 may change).
  Array reshaped(const Shape& shape) const;

 private:
  DType dtype_ = DType::Float32;
  Shape shape_;
  std::shared_ptr<std::vector<std::uint8_t>> data_ = std::make_shared<std::vector<std::uint8_t>>();
};

}  // namespace tessel
