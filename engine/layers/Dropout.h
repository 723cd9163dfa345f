#pragma once
// keras.layers.Dropout: in training, y = x * mask with mask = (u >= rate) / (1 - rate)
// (inverted dropout, u uniform in [0, 1)); identity when not training.
//   x is (N, ...), y is (N, ...); the mask has noise_shape (null entries take x's dimension,
//   1 entries broadcast). Config, mask drawing and backward (dx = dy * mask) in DropoutBase.
#include "engine/layers/DropoutBase.h"

namespace tessel {

class Dropout : public DropoutBase {
 public:
  explicit Dropout(const json& config) : DropoutBase("Dropout", config) {}
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  const Tensor& maskBuffer() const { return mul_; }  // noise shape; 0 or 1 / (1 - rate)
};

}  // namespace tessel
