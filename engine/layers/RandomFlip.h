#pragma once
// keras.layers.RandomFlip: in training each image is flipped left-right with probability 1/2
// (modes "horizontal", "horizontal_and_vertical") and then top-bottom with probability 1/2
// ("vertical", "horizontal_and_vertical"); the identity in inference. Backward applies the same
// flips to dy (a flip is its own adjoint).
#include <vector>

#include "engine/layers/RandomImageLayer.h"

namespace tessel {

class RandomFlip : public RandomImageLayer {
 public:
  explicit RandomFlip(const json& config);
  // Per image of the last training call: bit 0 horizontal flip, bit 1 vertical flip.
  const std::vector<unsigned char>& lastFlips() const { return flips_; }

 protected:
  void augment(const Tensor& x, Tensor& y, Rng& rng) override;
  void augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) override;

 private:
  bool horizontal_ = true, vertical_ = true;
  std::vector<unsigned char> flips_;
};

}  // namespace tessel
