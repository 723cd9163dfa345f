#pragma once
// keras.layers.LayerNormalization over trailing axes (axis -1 by default, or a list of trailing
// axes). x is viewed as (rows, D), D = product of the normalised dimensions:
//   y = gamma · (x - mean_row) / sqrt(var_row + eps) + beta      (biased variance, eps 1e-3)
//   dx = invstd/D · (D·g - Σg - x̂·Σ(g·x̂)),  g = dy·gamma
// Variables: gamma (if scale), beta (if center), shaped as the normalised dimensions.
#include "engine/layers/Layer.h"

namespace tessel {

class LayerNormalization : public Layer {
 public:
  explicit LayerNormalization(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  int firstAxis(size_t rank) const;  // first normalised axis; throws SpecError
  std::vector<int> axes_;
  double epsilon_;
  bool center_, scale_;
  std::vector<float> mean_, invStd_;  // per row, from the last forward
};

}  // namespace tessel
