#pragma once
// keras.layers.UpSampling2D (interpolation "nearest"): y[n, i, j, c] = x[n, i / sh, j / sw, c];
// dx sums dy over each sh × sw block. "bilinear" is rejected with a SpecError.
#include "engine/layers/Layer.h"

namespace tessel {

class UpSampling2D : public Layer {
 public:
  explicit UpSampling2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  std::vector<Index> size_;
};

}  // namespace tessel
