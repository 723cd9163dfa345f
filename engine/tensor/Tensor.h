#pragma once
// A dense float32 tensor, row-major, channels_last as Keras. Storage is aligned for the widest SIMD
// packet (EIGEN_MAX_ALIGN_BYTES) and keeps its capacity when resized smaller, so buffers allocated
// once per batch size never reallocate.
#include <Eigen/Core>
#include <initializer_list>
#include <vector>

#include "engine/tensor/Shape.h"

namespace tessel {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<MatrixRM, Eigen::AlignedMax>;
using ConstMatrixMap = Eigen::Map<const MatrixRM, Eigen::AlignedMax>;
using VectorMap = Eigen::Map<Eigen::VectorXf, Eigen::AlignedMax>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf, Eigen::AlignedMax>;
using ArrayMap = Eigen::Map<Eigen::ArrayXf, Eigen::AlignedMax>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf, Eigen::AlignedMax>;
// For views that start inside a buffer (an offset pointer is not aligned in general).
using UnalignedMatrixMap = Eigen::Map<MatrixRM, Eigen::Unaligned>;
using ConstUnalignedMatrixMap = Eigen::Map<const MatrixRM, Eigen::Unaligned>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, const std::vector<float>& values);

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Dimension i; negative i counts from the end (-1 = last).
  Index dim(int i) const;
  Index size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](Index i) { return data_[static_cast<size_t>(i)]; }
  float operator[](Index i) const { return data_[static_cast<size_t>(i)]; }

  // Changes the shape; reallocates only when the new size exceeds the capacity. Contents are
  // unspecified afterwards (not preserved unless the size is unchanged).
  void resize(const Shape& shape);
  // Same for a braced list, resize({n, c}): the dimensions are assigned into the tensor's own
  // shape (no temporary Shape), so a hot loop resizing to an equal or smaller rank never allocates.
  void resize(std::initializer_list<Index> dims);
  void setZero();
  void fill(float value);
  void copyFrom(const Tensor& other);  // resize + copy

  // Views. matrix() is (dim0, size/dim0); flat() is the whole buffer as a vector.
  MatrixMap matrix();
  ConstMatrixMap matrix() const;
  MatrixMap matrix(Index rows, Index cols);
  ConstMatrixMap matrix(Index rows, Index cols) const;
  VectorMap flat() { return VectorMap(data(), size_); }
  ConstVectorMap flat() const { return ConstVectorMap(data(), size_); }
  ArrayMap array() { return ArrayMap(data(), size_); }
  ConstArrayMap array() const { return ConstArrayMap(data(), size_); }

  std::vector<float> toVector() const { return {data(), data() + size_}; }

 private:
  Shape shape_;
  Index size_ = 0;
  std::vector<float, Eigen::aligned_allocator<float>> data_;
};

}  // namespace tessel
