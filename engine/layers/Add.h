#pragma once
// keras.layers.Add: y = x0 + x1 + ... ; dx_i = dy. Every x_i and y are (N, ...).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Add : public MergeLayer {
 public:
  explicit Add(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
