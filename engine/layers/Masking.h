#pragma once
// keras.layers.Masking: marks the time steps whose features all equal mask_value as padding.
//   x is (N, T, ...F); keep[n, t] = any(x[n, t, :] != mask_value) over the last axis;
//   y = x * keep (masked steps are zeroed, as Keras), the output carries the mask keep (N, T, ...).
//   dx = dy * keep.
#include "engine/layers/Layer.h"

namespace tessel {

class Masking : public Layer {
 public:
  explicit Masking(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  bool supportsMasking() const override { return true; }
  MaskOut maskOut(const std::vector<bool>&) const override { return MaskOut::Own; }

 private:
  float maskValue_ = 0.0f;
  Tensor keep_;  // x's shape without the last axis
};

}  // namespace tessel
