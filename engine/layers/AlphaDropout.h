#pragma once
// keras.layers.AlphaDropout (Keras 2): in training, with keep = (u >= rate) of noise shape,
//   y = a * (x * keep + alpha_p * (1 - keep)) + b,   alpha_p = -1.7580993408473766,
//   a = ((1 - rate)(1 + rate alpha_p^2))^-1/2,  b = -a alpha_p rate.
// Identity when not training or rate is 0. x is (N, ...), y is (N, ...). Config, mask drawing and
// backward (dx = dy * a * keep) in DropoutBase.
#include "engine/layers/DropoutBase.h"

namespace tessel {

class AlphaDropout : public DropoutBase {
 public:
  explicit AlphaDropout(const json& config) : DropoutBase("AlphaDropout", config) {}
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
};

}  // namespace tessel
