#pragma once
// keras.layers.TimeDistributed: applies the wrapped layer (config 'layer': {"class_name",
// "config"}) to every time step by folding time into the batch:
//   x (N, T, ...) -> (N*T, ...) -> inner -> (N*T, ...') -> y (N, T, ...').
// The weights are the inner layer's, with its names ("kernel", "bias"), as Keras 2 saves them
// under the wrapper's name ("time_distributed/kernel:0"); Param # is the inner layer's.
// The variables live in this layer (variables()); they are swapped into the inner layer around
// each call (O(1) buffer swaps), so optimizers and checkpoints see one set.
#include <memory>

#include "engine/layers/Layer.h"

namespace tessel {

class TimeDistributed : public Layer {
 public:
  explicit TimeDistributed(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

  Layer& inner() { return *inner_; }
  const Layer& inner() const { return *inner_; }

 private:
  // Swaps this layer's variable buffers with the inner layer's (call twice to undo).
  void swapVariables();
  Shape innerShape(const Shape& in) const;  // (None, T, rest...) -> (None, rest...)

  std::unique_ptr<Layer> inner_;
  Tensor xin_, yin_, dyin_, dxin_;  // folded (N*T, ...) buffers, reused
};

}  // namespace tessel
