#pragma once
// keras.layers.SeparableConv2D: depthwise convolution (depthwise_kernel (kh, kw, C, dm), no
// bias) into mid (N, OH, OW, C·dm), then a pointwise 1x1 convolution (pointwise_kernel
// (1, 1, C·dm, filters)) as one GEMM, + bias, fused activation.
//   backward: dP = midᵀ · dz,  dmid = dz · Pᵀ,  then the depthwise backward.
// Config, geometry and the depthwise kernel in DepthwiseConvLayer.
#include "engine/layers/DepthwiseConvLayer.h"

namespace tessel {

class SeparableConv2D : public DepthwiseConvLayer {
 public:
  explicit SeparableConv2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  Index filters_;
  Tensor mid_, z_, dz_, dmid_;
};

}  // namespace tessel
