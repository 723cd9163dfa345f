#pragma once
// keras.layers.AlphaDropout (Keras 2): in training, with keep = (u >= rate) of noise shape,
//   y = a * (x * keep + alpha_p * (1 - keep)) + b,   alpha_p = -1.7580993408473766,
//   a = ((1 - rate)(1 + rate alpha_p^2))^-1/2,  b = -a alpha_p rate.
// Identity when not training or rate is 0. x is (N, ...), y is (N, ...).
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

class AlphaDropout : public Layer {
 public:
  explicit AlphaDropout(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  double rate_ = 0.0;
  std::optional<Rng> ownRng_;
  Rng fallbackRng_;
  Tensor mul_;  // noise shape: a * keep           (dy/dx)
  Tensor add_;  // noise shape: a * alpha_p * (1 - keep) + b
  bool applied_ = false;
};

}  // namespace tessel
