#pragma once
// keras.layers.Average: y = (x0 + ... + x_{k-1}) / k ; dx_i = dy / k. Every x_i and y are (N, ...).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Average : public MergeLayer {
 public:
  explicit Average(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
