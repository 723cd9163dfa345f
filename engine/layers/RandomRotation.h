#pragma once
// keras.layers.RandomRotation: in training each image is rotated counter-clockwise about its
// centre by a random angle in [lower * 2pi, upper * 2pi] (a number f means (-f, f)); Keras 2's
// get_rotation_matrix, filled by fill_mode.
#include "engine/layers/RandomTransformLayer.h"

namespace tessel {

class RandomRotation : public RandomTransformLayer {
 public:
  explicit RandomRotation(const json& config);

 protected:
  Projective draw(Rng& rng, Index h, Index w) const override;

 private:
  double lo_, hi_;
};

}  // namespace tessel
