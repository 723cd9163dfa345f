#pragma once
// The part keras.layers.Dropout and AlphaDropout share: config 'rate' in [0, 1), 'noise_shape'
// (null entries take x's dimension, 1 entries broadcast) and 'seed'; in training a keep mask over
// the noise shape, keep = (u >= rate) with u uniform in [0, 1), one draw per mask entry, and
//   y = x * mul (+ add)  (mul, add broadcast over x),   dx = dy * mul;
// identity (y = x, dx = dy) when the mask is not applied. x is (N, ...), y is (N, ...).
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

// y = x * mul (+ add): mul and add (add may be null) have a shape of x's rank whose dimensions
// equal x's or are 1 (broadcast).
void applyBroadcastMask(const Tensor& x, const Tensor& mul, const Tensor* add, Tensor& y);
// Resolves a Keras noise_shape (null = x's shape; null entries take x's dimension) against x's
// shape. Throws Error when it does not broadcast.
Shape resolveNoiseShape(const json& noiseShape, const Shape& x);

class DropoutBase : public Layer {
 public:
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  // dx = dy * mul (the mask of the last forward), or dy when the mask was not applied.
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  bool supportsMasking() const override { return true; }  // Keras 2: the mask passes on
  double rate() const { return rate_; }
  // The mask of the last forward (noise shape): y = x * maskMul() (+ maskAdd(), AlphaDropout), and
  // whether it was applied. The GPU backend draws masks through forward() and copies these up.
  const Tensor& maskMul() const { return mul_; }
  const Tensor& maskAdd() const { return add_; }
  bool maskApplied() const { return applied_; }

 protected:
  DropoutBase(std::string className, const json& config);
  // Draws the keep mask over x's noise shape: mul_ = keep ? keepMul : 0 and, when withAdd,
  // add_ = keep ? keepAdd : dropAdd.
  void drawMask(const Shape& x, RunContext& ctx, float keepMul, bool withAdd = false,
                float keepAdd = 0.0f, float dropAdd = 0.0f);

  double rate_ = 0.0;
  Tensor mul_;            // noise shape: dy/dx
  Tensor add_;            // noise shape (AlphaDropout only)
  bool applied_ = false;  // the last forward applied the mask

 private:
  std::optional<Rng> ownRng_;  // when config 'seed' is set: a stream of its own, as Keras
  Rng fallbackRng_;            // when the executor gives no rng
};

}  // namespace tessel
