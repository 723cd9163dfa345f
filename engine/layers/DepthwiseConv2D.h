#pragma once
// keras.layers.DepthwiseConv2D: each input channel convolved with its own depth_multiplier
// filters. x (N, H, W, C), depthwise_kernel (kh, kw, C, dm), y (N, OH, OW, C·dm) with output
// channel c·dm + m (as TF). Direct loops (no GEMM), OpenMP over rows; fused bias + activation.
// The core (depthwiseForward / depthwiseBackward, shared with SeparableConv2D) is in ConvUtils;
// config, geometry and the kernel in DepthwiseConvLayer.
//   y[o, c·dm+m] = act(Σ_ij x[o·s - pad + (i, j)·d, c] · k[i, j, c, m] + b[c·dm+m])
#include "engine/layers/DepthwiseConvLayer.h"

namespace tessel {

class DepthwiseConv2D : public DepthwiseConvLayer {
 public:
  explicit DepthwiseConv2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  Tensor z_, dz_;
};

}  // namespace tessel
