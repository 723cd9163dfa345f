#pragma once
// Base of the geometric augmentation layers RandomTranslation, RandomRotation and RandomZoom: one
// random projective transform per image (Keras 2 draws per image), applied with the fill_mode,
// fill_value and interpolation of the config (Keras 2 keys, defaults reflect / 0.0 / bilinear).
// Backward is the adjoint of the sampling for the drawn transforms.
#include <vector>

#include "engine/layers/RandomImageLayer.h"

namespace tessel {

class RandomTransformLayer : public RandomImageLayer {
 public:
  RandomTransformLayer(std::string className, const json& config);
  const std::vector<Projective>& lastTransforms() const { return transforms_; }

 protected:
  // This image's transform (output point → input point) for an (h, w) image.
  virtual Projective draw(Rng& rng, Index h, Index w) const = 0;
  void augment(const Tensor& x, Tensor& y, Rng& rng) override;
  void augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) override;

 private:
  TransformOptions options_;
  std::vector<Projective> transforms_;  // per image of the last training call
};

}  // namespace tessel
