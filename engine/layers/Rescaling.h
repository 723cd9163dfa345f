#pragma once
// keras.layers.Rescaling: y = x * scale + offset, in training and inference (any rank).
// dy/dx = scale.
#include "engine/layers/Layer.h"

namespace tessel {

class Rescaling : public Layer {
 public:
  explicit Rescaling(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  float scale_, offset_;
};

}  // namespace tessel
