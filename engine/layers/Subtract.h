#pragma once
// keras.layers.Subtract: y = x0 - x1 (exactly two inputs); dx0 = dy, dx1 = -dy. Every x_i and y are
// (N, ...).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Subtract : public MergeLayer {
 public:
  explicit Subtract(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
