#pragma once
// keras.layers.RandomBrightness: in training each image gets a random delta
// uniform(factor[0], factor[1]) * (value_range[1] - value_range[0]) added to every pixel and
// channel, and the result is clipped to value_range. A number factor f means (-|f|, |f|); a list
// is sorted, as Keras 2 (whose get_config then writes the list). The identity in inference.
#include <vector>

#include "engine/layers/RandomImageLayer.h"

namespace tessel {

class RandomBrightness : public RandomImageLayer {
 public:
  explicit RandomBrightness(const json& config);
  const std::vector<float>& lastDeltas() const { return deltas_; }  // per image

 protected:
  void augment(const Tensor& x, Tensor& y, Rng& rng) override;
  void augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) override;

 private:
  double f0_, f1_;
  float lo_, hi_;
  std::vector<float> deltas_;
};

}  // namespace tessel
