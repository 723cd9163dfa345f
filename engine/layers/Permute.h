#pragma once
// keras.layers.Permute: permutes the non-batch axes; `dims` is 1-based as Keras writes it
// ((2, 1) swaps axes 1 and 2). y[b, i_dims[0], i_dims[1], ...] = x[b, i_1, i_2, ...].
// Backward applies the inverse permutation to dy.
#include "engine/layers/Layer.h"

namespace tessel {

// y = x transposed so that y's axis k is x's axis perm[k] (perm over all axes, batch included).
void transposeAxes(const Tensor& x, const std::vector<int>& perm, Tensor& y);

class Permute : public Layer {
 public:
  explicit Permute(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  // The permutation over all axes (batch axis 0 first).
  const std::vector<int>& permutation() const { return perm_; }

 private:
  std::vector<int> perm_, inverse_;
};

}  // namespace tessel
