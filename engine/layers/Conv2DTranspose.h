#pragma once
// keras.layers.Conv2DTranspose: the adjoint of a Conv2D. kernel (kh, kw, filters, in) as Keras.
// Output size (Keras deconv_output_length, output_padding null): valid (in-1)·s + (k-1)·d + 1,
// same in·s. With g the geometry of the conv mapping y (OH, OW, filters) to x (H, W, in):
//   forward:  col (N·H·W, kh·kw·filters) = x · Wᵀ,  y = act(col2im(col) + b)
//   backward: dcol = im2col(dz),  dW = dcolᵀ · x,  dx = dcol · W
#include "engine/layers/ConvDeps.h"
#include "engine/layers/ConvUtils.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Conv2DTranspose : public Layer {
 public:
  explicit Conv2DTranspose(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  ConvGeom geometry(Index n, Index h, Index w) const;  // conv from y to x
  Index outLen(Index in, int axis) const;
  Index filters_;
  Conv2DConfig conv_;
  ConvGeom geom_;
  Tensor col_, z_, dz_;
};

}  // namespace tessel
