#pragma once
// keras.layers.RandomTranslation: in training each image is shifted by a random fraction of its
// height in [height_lower, height_upper] (positive: down) and of its width in
// [width_lower, width_upper] (positive: right); a number f means (-f, f). Keras 2's
// get_translation_matrix, filled by fill_mode.
#include "engine/layers/RandomTransformLayer.h"

namespace tessel {

class RandomTranslation : public RandomTransformLayer {
 public:
  explicit RandomTranslation(const json& config);

 protected:
  Projective draw(Rng& rng, Index h, Index w) const override;

 private:
  double hLo_, hHi_, wLo_, wHi_;
};

}  // namespace tessel
