#include "engine/layers/UpSampling2D.h"

#include <algorithm>

#include "engine/layers/ConvUtils.h"

namespace tessel {

UpSampling2D::UpSampling2D(const json& config) : Layer("UpSampling2D", config) {
  requireChannelsLast(config_, name_);
  size_ = configTuple(config_, "size", 2, name_);
  if (config_.at("interpolation") != "nearest")
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'interpolation' = " + config_["interpolation"].dump() +
                        ": only \"nearest\" is supported");
}

Shape UpSampling2D::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, 2, className_, name_);
  return {kNone, in[1] == kNone ? kNone : in[1] * size_[0],
          in[2] == kNone ? kNone : in[2] * size_[1], in[3]};
}

void UpSampling2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  const Index n = X.dim(0), h = X.dim(1), w = X.dim(2), c = X.dim(3);
  const Index oh = h * size_[0], ow = w * size_[1];
  y.resize({n, oh, ow, c});
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < n * oh; ++r) {
    const Index b = r / oh, i = r % oh;
    const float* src = X.data() + ((b * h) + i / size_[0]) * w * c;
    float* dst = y.data() + r * ow * c;
    for (Index j = 0; j < ow; ++j)
      std::copy(src + (j / size_[1]) * c, src + (j / size_[1] + 1) * c, dst + j * c);
  }
}

void UpSampling2D::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                            const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  dX.setZero();
  const Index n = X.dim(0), h = X.dim(1), w = X.dim(2), c = X.dim(3);
  const Index oh = h * size_[0], ow = w * size_[1];
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < n * h; ++r) {
    const Index b = r / h, i = r % h;
    float* dst = dX.data() + r * w * c;
    for (Index a = 0; a < size_[0]; ++a) {
      const float* src = dy.data() + (b * oh + i * size_[0] + a) * ow * c;
      for (Index j = 0; j < ow; ++j) {
        float* d = dst + (j / size_[1]) * c;
        for (Index ch = 0; ch < c; ++ch) d[ch] += src[j * c + ch];
      }
    }
  }
}

}  // namespace tessel
