#include "engine/layers/DepthwiseConvLayer.h"

namespace tessel {

DepthwiseConvLayer::DepthwiseConvLayer(const std::string& className, const json& config)
    : Layer(className, config) {
  conv_ = parseConv2DConfig(config_, className_, name_);
  dm_ = config_.at("depth_multiplier").get<Index>();
}

ConvGeom DepthwiseConvLayer::geometry(const Shape& in) const {
  return makeConvGeom(in[1], in[2], in[3], conv_.kernel[0], conv_.kernel[1], conv_.strides[0],
                      conv_.strides[1], conv_.dilation[0], conv_.dilation[1], conv_.padding);
}

Index DepthwiseConvLayer::buildDepthwiseKernel(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Index C = inputs[0][3];
  vars_.clear();
  initializeTensor(
      config_.at("depthwise_initializer"),
      addVariable("depthwise_kernel", {conv_.kernel[0], conv_.kernel[1], C, dm_}).value, rng,
      name_);
  return C;
}

}  // namespace tessel
