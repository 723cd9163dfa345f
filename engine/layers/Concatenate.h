#pragma once
// keras.layers.Concatenate: joins the inputs along `axis` (default -1; the batch axis 0 is not
// allowed). x_i is (N, ..., d_i, ...), y is (N, ..., sum d_i, ...).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Concatenate : public MergeLayer {
 public:
  explicit Concatenate(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  int axisFor(int rank) const;  // axis as a non-negative index, or -1 if out of range
  int axis_ = -1;
};

}  // namespace tessel
