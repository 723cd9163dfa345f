#pragma once
// keras.layers.DepthwiseConv2D: each input channel convolved with its own depth_multiplier
// filters. x (N, H, W, C), depthwise_kernel (kh, kw, C, dm), y (N, OH, OW, C·dm) with output
// channel c·dm + m (as TF). Direct loops (no GEMM), OpenMP over rows; fused bias + activation.
//   y[o, c·dm+m] = act(Σ_ij x[o·s - pad + (i, j)·d, c] · k[i, j, c, m] + b[c·dm+m])
#include "engine/layers/ConvDeps.h"
#include "engine/layers/ConvUtils.h"
#include "engine/layers/Layer.h"

namespace tessel {

// The depthwise convolution core, shared with SeparableConv2D (no bias, no activation).
// depthwiseForward: y ← conv(x, k). depthwiseBackward: dk ← Σ x·dy (overwritten), and
// dx ← Σ dy·k (overwritten) when dx is not null.
void depthwiseForward(const float* x, const ConvGeom& g, const float* k, Index dm, float* y);
void depthwiseBackward(const float* x, const ConvGeom& g, const float* k, Index dm, const float* dy,
                       float* dk, float* dx);

class DepthwiseConv2D : public Layer {
 public:
  explicit DepthwiseConv2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  ConvGeom geometry(const Shape& in) const;
  Index dm_;
  std::vector<Index> kernel_, strides_, dilation_;
  std::string padding_;
  bool useBias_;
  FusedActivation act_;
  ConvGeom geom_;
  Tensor z_, dz_;
};

}  // namespace tessel
