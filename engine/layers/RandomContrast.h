#pragma once
// keras.layers.RandomContrast: in training each image gets a random contrast factor f in
// [1 - lower, 1 + upper] (a number means lower = upper = factor) and every channel becomes
// (x - mean) * f + mean, mean over the image's pixels of that channel, clipped to [0, 255]
// (Keras 2 clips to the RGB range; Keras 3 adds value_range). Keras 2.13+ draws f per image
// (earlier 2.x: one f per batch). The identity in inference.
#include <vector>

#include "engine/layers/RandomImageLayer.h"

namespace tessel {

class RandomContrast : public RandomImageLayer {
 public:
  explicit RandomContrast(const json& config);
  const std::vector<float>& lastFactors() const { return factors_; }  // per image

 protected:
  void augment(const Tensor& x, Tensor& y, Rng& rng) override;
  void augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) override;

 private:
  double lower_, upper_;
  std::vector<float> factors_;
  std::vector<double> mean_;  // (C) scratch
};

}  // namespace tessel
