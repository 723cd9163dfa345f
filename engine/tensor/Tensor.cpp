#include "engine/tensor/Tensor.h"

#include <algorithm>
#include <stdexcept>

namespace tessel {

std::string shapeToString(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] == kNone ? std::string("None") : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

Index shapeProduct(const Shape& shape, Index noneAs) {
  Index p = 1;
  for (Index d : shape) p *= (d == kNone ? noneAs : d);
  return p;
}

Shape withBatch(Shape shape, Index batch) {
  if (!shape.empty()) shape[0] = batch;
  return shape;
}

Tensor::Tensor(Shape shape, float fill) {
  resize(shape), this->fill(fill);
}

Tensor::Tensor(Shape shape, const std::vector<float>& values) {
  resize(shape);
  if (static_cast<Index>(values.size()) != size_)
    throw std::invalid_argument("Tensor: " + std::to_string(values.size()) +
                                " values do not fill shape " + shapeToString(shape));
  std::copy(values.begin(), values.end(), data_.begin());
}

Index Tensor::dim(int i) const {
  int r = rank();
  if (i < 0) i += r;
  if (i < 0 || i >= r) throw std::out_of_range("Tensor::dim: axis out of range");
  return shape_[static_cast<size_t>(i)];
}

void Tensor::resize(const Shape& shape) {
  for (Index d : shape)
    if (d < 0) throw std::invalid_argument("Tensor: unknown dimension in " + shapeToString(shape));
  shape_ = shape;
  size_ = shapeProduct(shape);
  if (static_cast<size_t>(size_) > data_.size()) data_.resize(static_cast<size_t>(size_));
}

void Tensor::resize(std::initializer_list<Index> dims) {
  for (Index d : dims)
    if (d < 0) throw std::invalid_argument("Tensor: unknown dimension in " + shapeToString(dims));
  shape_.assign(dims);
  size_ = shapeProduct(shape_);
  if (static_cast<size_t>(size_) > data_.size()) data_.resize(static_cast<size_t>(size_));
}

void Tensor::setZero() {
  std::fill(data_.begin(), data_.begin() + size_, 0.0f);
}
void Tensor::fill(float value) {
  std::fill(data_.begin(), data_.begin() + size_, value);
}

void Tensor::copyFrom(const Tensor& other) {
  resize(other.shape());
  std::copy(other.data(), other.data() + other.size(), data_.begin());
}

MatrixMap Tensor::matrix() {
  Index rows = rank() ? shape_[0] : 1;
  return matrix(rows, rows ? size_ / rows : 0);
}
ConstMatrixMap Tensor::matrix() const {
  Index rows = rank() ? shape_[0] : 1;
  return matrix(rows, rows ? size_ / rows : 0);
}
MatrixMap Tensor::matrix(Index rows, Index cols) {
  if (rows * cols != size_) throw std::invalid_argument("Tensor::matrix: size mismatch");
  return MatrixMap(data(), rows, cols);
}
ConstMatrixMap Tensor::matrix(Index rows, Index cols) const {
  if (rows * cols != size_) throw std::invalid_argument("Tensor::matrix: size mismatch");
  return ConstMatrixMap(data(), rows, cols);
}

}  // namespace tessel
