#pragma once
// The part DepthwiseConv2D and SeparableConv2D share: the Conv2DConfig (ConvUtils.h),
// depth_multiplier (dm), the geometry of the depthwise step over x (N, H, W, C) and its kernel
// depthwise_kernel (kh, kw, C, dm).
#include "engine/layers/ConvDeps.h"
#include "engine/layers/ConvUtils.h"
#include "engine/layers/Layer.h"

namespace tessel {

class DepthwiseConvLayer : public Layer {
 protected:
  DepthwiseConvLayer(const std::string& className, const json& config);
  ConvGeom geometry(const Shape& in) const;  // from an input shape (batch may be kNone)
  // The start of build(): checks the inputs (outputShape), clears the variables and adds
  // depthwise_kernel initialized from depthwise_initializer (glorot_uniform). Returns C.
  Index buildDepthwiseKernel(const std::vector<Shape>& inputs, Rng& rng);

  Index dm_;
  Conv2DConfig conv_;
  ConvGeom geom_;
};

}  // namespace tessel
