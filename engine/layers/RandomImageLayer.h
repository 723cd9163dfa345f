#pragma once
// Base of the Keras image augmentation layers (RandomFlip, RandomContrast, RandomBrightness and,
// through RandomTransformLayer, RandomTranslation / RandomRotation / RandomZoom): active only in
// training (the identity in inference, dy/dx = 1), input (N, H, W, C), output of the same shape,
// random parameters drawn per image from AugmentRng (see ImageTransform.h for the seeding).
// Keras 2 also accepts an unbatched (H, W, C) image; here every tensor has a batch axis, so the
// input must be 4-D.
#include "engine/layers/ImageTransform.h"
#include "engine/layers/Layer.h"

namespace tessel {

class RandomImageLayer : public Layer {
 public:
  RandomImageLayer(std::string className, const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) final;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) final;

 protected:
  // x (N, H, W, C) → y (same shape, already sized): draws this call's per-image parameters from
  // rng and keeps them for augmentBackward.
  virtual void augment(const Tensor& x, Tensor& y, Rng& rng) = 0;
  // dx (same shape as x, already sized, to be overwritten) from dy for the last augment().
  virtual void augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) = 0;

 private:
  AugmentRng rng_;
  bool applied_ = false;  // the last forward augmented (training) rather than copied
};

}  // namespace tessel
