#include "engine/layers/RandomTransformLayer.h"

#include "engine/core/Error.h"

namespace tessel {

RandomTransformLayer::RandomTransformLayer(std::string className, const json& config)
    : RandomImageLayer(std::move(className), config) {
  try {
    options_.fill = fillModeFromName(config_.at("fill_mode").get<std::string>());
    options_.interpolation = interpolationFromName(config_.at("interpolation").get<std::string>());
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  options_.fillValue = config_.at("fill_value").get<float>();
}

void RandomTransformLayer::augment(const Tensor& x, Tensor& y, Rng& rng) {
  const Index n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  transforms_.resize(size_t(n));
  for (Index b = 0; b < n; ++b) {
    transforms_[size_t(b)] = draw(rng, h, w);
    transformImage(x.data() + b * h * w * c, h, w, c, transforms_[size_t(b)], options_,
                   y.data() + b * h * w * c);
  }
}

void RandomTransformLayer::augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  for (Index b = 0; b < n; ++b)
    transformImageBackward(dy.data() + b * h * w * c, h, w, c, transforms_[size_t(b)], options_,
                           dx.data() + b * h * w * c);
}

}  // namespace tessel
