#include "engine/layers/DepthwiseConv2D.h"

namespace tessel {

DepthwiseConv2D::DepthwiseConv2D(const json& config)
    : DepthwiseConvLayer("DepthwiseConv2D", config) {
  if (dm_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'depth_multiplier' must be positive");
}

Shape DepthwiseConv2D::outputShape(const std::vector<Shape>& inputs) const {
  checkConv2DInput(inputs, conv_, className_, name_, true);
  const Shape& in = inputs[0];
  ConvGeom g = geometry(in);
  return {kNone, g.oh, g.ow, in[3] * dm_};
}

void DepthwiseConv2D::build(const std::vector<Shape>& inputs, Rng& rng) {
  const Index C = buildDepthwiseKernel(inputs, rng);
  if (conv_.useBias)
    initializeTensor(config_.at("bias_initializer"), addVariable("bias", {C * dm_}).value, rng,
                     name_);
  built_ = true;
}

void DepthwiseConv2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.shape());
  geom_.n = X.dim(0);
  const Index CO = geom_.c * dm_;
  y.resize({geom_.n, geom_.oh, geom_.ow, CO});
  depthwiseForward(X.data(), geom_, vars_[0].value.data(), dm_, y.data());
  biasActivationForward(y.data(), geom_.rows(), CO, conv_.useBias ? vars_[1].value.data() : nullptr,
                        conv_.act, z_);
}

void DepthwiseConv2D::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const bool biasGrad = conv_.useBias && vars_[1].trainable;
  const float* dzp =
      biasActivationBackward(dy.data(), y.data(), z_, geom_.rows(), geom_.c * dm_, conv_.act, dz_,
                             biasGrad ? vars_[1].grad.data() : nullptr);
  float* dxp = nullptr;
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(X.shape());
    dxp = dx[0]->data();
  }
  Variable& k = vars_[0];
  depthwiseBackward(X.data(), geom_, k.value.data(), dm_, dzp,
                    k.trainable ? k.grad.data() : nullptr, dxp);
}

double DepthwiseConv2D::regularization(bool addGrads) {
  double p = 0.0;
  Variable& k = vars_[0];
  p += regularizationPenalty(config_.at("depthwise_regularizer"), k.value,
                             addGrads && k.trainable ? &k.grad : nullptr);
  if (conv_.useBias) {
    Variable& b = vars_[1];
    p += regularizationPenalty(config_.at("bias_regularizer"), b.value,
                               addGrads && b.trainable ? &b.grad : nullptr);
  }
  return p;
}

}  // namespace tessel
