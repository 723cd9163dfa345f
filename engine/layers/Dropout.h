#pragma once
// keras.layers.Dropout: in training, y = x * mask with mask = (u >= rate) / (1 - rate)
// (inverted dropout, u uniform in [0, 1)); identity when not training.
//   x is (N, ...), y is (N, ...); the mask has noise_shape (null entries take x's dimension,
//   1 entries broadcast).
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

// y = x * mul (+ add): mul and add (add may be null) have a shape of x's rank whose dimensions
// equal x's or are 1 (broadcast).
void applyBroadcastMask(const Tensor& x, const Tensor& mul, const Tensor* add, Tensor& y);
// Resolves a Keras noise_shape (null = x's shape; null entries take x's dimension) against x's
// shape. Throws Error when it does not broadcast.
Shape resolveNoiseShape(const json& noiseShape, const Shape& x);

class Dropout : public Layer {
 public:
  explicit Dropout(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double rate() const { return rate_; }
  const Tensor& maskBuffer() const { return mask_; }

 private:
  double rate_ = 0.0;
  std::optional<Rng> ownRng_;  // when config 'seed' is set: a stream of its own, as Keras
  Rng fallbackRng_;            // when the executor gives no rng
  Tensor mask_;                // noise shape; 0 or 1 / (1 - rate)
  bool applied_ = false;       // the last forward applied the mask
};

}  // namespace tessel
