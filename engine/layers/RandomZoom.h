#pragma once
// keras.layers.RandomZoom: in training each image is zoomed about its centre by a random factor
// in [1 + height_lower, 1 + height_upper] vertically and [1 + width_lower, 1 + width_upper]
// horizontally (width_factor null: the vertical factor, keeping the aspect ratio); a positive
// factor zooms out, a negative one in. Keras 2's get_zoom_matrix, filled by fill_mode.
#include "engine/layers/RandomTransformLayer.h"

namespace tessel {

class RandomZoom : public RandomTransformLayer {
 public:
  explicit RandomZoom(const json& config);

 protected:
  Projective draw(Rng& rng, Index h, Index w) const override;

 private:
  double hLo_, hHi_, wLo_ = 0, wHi_ = 0;
  bool ownWidth_ = false;
};

}  // namespace tessel
