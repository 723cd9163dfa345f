#pragma once
// keras.layers.Multiply: y = x0 * x1 * ... ; dx_i = dy * prod_{j != i} x_j. Every x_i and y are (N,
// ...).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Multiply : public MergeLayer {
 public:
  explicit Multiply(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
