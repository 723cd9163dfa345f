#include "engine/layers/ZeroPadding2D.h"

#include <algorithm>

#include "engine/layers/ConvUtils.h"

namespace tessel {

void copyWindow2D(float* big, Index hb, Index wb, float* small, Index n, Index hs, Index ws,
                  Index c, Index top, Index left, bool toSmall) {
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < n * hs; ++r) {
    const Index b = r / hs, i = r % hs;
    float* bp = big + ((b * hb + top + i) * wb + left) * c;
    float* sp = small + r * ws * c;
    if (toSmall)
      std::copy(bp, bp + ws * c, sp);
    else
      std::copy(sp, sp + ws * c, bp);
  }
}

ZeroPadding2D::ZeroPadding2D(const json& config) : Layer("ZeroPadding2D", config) {
  requireChannelsLast(config_, name_);
  pad_ = configPadding2D(config_, "padding", name_);
}

Shape ZeroPadding2D::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, 2, className_, name_);
  return {kNone, in[1] == kNone ? kNone : in[1] + pad_[0] + pad_[1],
          in[2] == kNone ? kNone : in[2] + pad_[2] + pad_[3], in[3]};
}

void ZeroPadding2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  const Index n = X.dim(0), h = X.dim(1), w = X.dim(2), c = X.dim(3);
  const Index hb = h + pad_[0] + pad_[1], wb = w + pad_[2] + pad_[3];
  y.resize({n, hb, wb, c});
  y.setZero();
  copyWindow2D(y.data(), hb, wb, const_cast<float*>(X.data()), n, h, w, c, pad_[0], pad_[2], false);
}

void ZeroPadding2D::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                             const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  dx[0]->resize(X.shape());
  copyWindow2D(const_cast<float*>(dy.data()), dy.dim(1), dy.dim(2), dx[0]->data(), X.dim(0),
               X.dim(1), X.dim(2), X.dim(3), pad_[0], pad_[2], true);
}

}  // namespace tessel
