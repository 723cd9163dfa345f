#include "engine/layers/Cropping2D.h"

#include "engine/layers/ConvUtils.h"
#include "engine/layers/ZeroPadding2D.h"

namespace tessel {

Cropping2D::Cropping2D(const json& config) : Layer("Cropping2D", config) {
  requireChannelsLast(config_, name_);
  crop_ = configPadding2D(config_, "cropping", name_);
}

Shape Cropping2D::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, 2, className_, name_);
  Index h = in[1] == kNone ? kNone : in[1] - crop_[0] - crop_[1];
  Index w = in[2] == kNone ? kNone : in[2] - crop_[2] - crop_[3];
  if ((h != kNone && h <= 0) || (w != kNone && w <= 0))
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "cropping ((" + std::to_string(crop_[0]) + ", " + std::to_string(crop_[1]) +
                        "), (" + std::to_string(crop_[2]) + ", " + std::to_string(crop_[3]) +
                        ")) leaves nothing of the input " + shapeToString(in));
  return {kNone, h, w, in[3]};
}

void Cropping2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  const Index n = X.dim(0), h = X.dim(1) - crop_[0] - crop_[1], w = X.dim(2) - crop_[2] - crop_[3];
  y.resize({n, h, w, X.dim(3)});
  copyWindow2D(const_cast<float*>(X.data()), X.dim(1), X.dim(2), y.data(), n, h, w, X.dim(3),
               crop_[0], crop_[2], true);
}

void Cropping2D::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                          const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  dX.setZero();
  copyWindow2D(dX.data(), X.dim(1), X.dim(2), const_cast<float*>(dy.data()), X.dim(0), dy.dim(1),
               dy.dim(2), X.dim(3), crop_[0], crop_[2], false);
}

}  // namespace tessel
