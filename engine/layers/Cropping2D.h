#pragma once
// keras.layers.Cropping2D: x (N, H, W, C) → y (N, H-top-bottom, W-left-right, C); dx is dy
// placed back in a zero tensor.
#include "engine/layers/Layer.h"

namespace tessel {

class Cropping2D : public Layer {
 public:
  explicit Cropping2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  std::vector<Index> crop_;  // top, bottom, left, right
};

}  // namespace tessel
