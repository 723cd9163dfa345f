#pragma once
// keras.layers.RepeatVector: x (N, F) -> y (N, n, F), every row repeated n times.
// Backward: dx[b, f] = sum over t of dy[b, t, f].
#include "engine/layers/Layer.h"

namespace tessel {

class RepeatVector : public Layer {
 public:
  explicit RepeatVector(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  Index n() const { return n_; }

 private:
  Index n_ = 1;
};

}  // namespace tessel
