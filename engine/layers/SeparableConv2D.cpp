#include "engine/layers/SeparableConv2D.h"

namespace tessel {

SeparableConv2D::SeparableConv2D(const json& config)
    : DepthwiseConvLayer("SeparableConv2D", config) {
  filters_ = config_.at("filters").get<Index>();
  if (filters_ < 1 || dm_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'filters' and 'depth_multiplier' must be positive");
}

Shape SeparableConv2D::outputShape(const std::vector<Shape>& inputs) const {
  checkConv2DInput(inputs, conv_, className_, name_, true);
  ConvGeom g = geometry(inputs[0]);
  return {kNone, g.oh, g.ow, filters_};
}

void SeparableConv2D::build(const std::vector<Shape>& inputs, Rng& rng) {
  const Index C = buildDepthwiseKernel(inputs, rng);
  initializeTensor(config_.at("pointwise_initializer"),
                   addVariable("pointwise_kernel", {1, 1, C * dm_, filters_}).value, rng, name_);
  if (conv_.useBias)
    initializeTensor(config_.at("bias_initializer"), addVariable("bias", {filters_}).value, rng,
                     name_);
  built_ = true;
}

void SeparableConv2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.shape());
  geom_.n = X.dim(0);
  const Index CM = geom_.c * dm_, M = geom_.rows(), F = filters_;
  mid_.resize({geom_.n, geom_.oh, geom_.ow, CM});
  depthwiseForward(X.data(), geom_, vars_[0].value.data(), dm_, mid_.data());
  y.resize({geom_.n, geom_.oh, geom_.ow, F});
  MatrixMap(y.data(), M, F).noalias() =
      ConstMatrixMap(mid_.data(), M, CM) * ConstMatrixMap(vars_[1].value.data(), CM, F);
  biasActivationForward(y.data(), M, F, conv_.useBias ? vars_[2].value.data() : nullptr, conv_.act,
                        z_);
}

void SeparableConv2D::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const Index CM = geom_.c * dm_, M = geom_.rows(), F = filters_;
  const bool biasGrad = conv_.useBias && vars_[2].trainable;
  ConstMatrixMap dZ(biasActivationBackward(dy.data(), y.data(), z_, M, F, conv_.act, dz_,
                                           biasGrad ? vars_[2].grad.data() : nullptr),
                    M, F);
  Variable& dk = vars_[0];
  Variable& pk = vars_[1];
  if (pk.trainable)
    MatrixMap(pk.grad.data(), CM, F).noalias() =
        ConstMatrixMap(mid_.data(), M, CM).transpose() * dZ;
  dmid_.resize(mid_.shape());
  MatrixMap(dmid_.data(), M, CM).noalias() =
      dZ * ConstMatrixMap(pk.value.data(), CM, F).transpose();
  float* dxp = nullptr;
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(X.shape());
    dxp = dx[0]->data();
  }
  depthwiseBackward(X.data(), geom_, dk.value.data(), dm_, dmid_.data(),
                    dk.trainable ? dk.grad.data() : nullptr, dxp);
}

double SeparableConv2D::regularization(bool addGrads) {
  double p = 0.0;
  const char* keys[3] = {"depthwise_regularizer", "pointwise_regularizer", "bias_regularizer"};
  for (size_t i = 0; i < vars_.size(); ++i)
    p += regularizationPenalty(config_.at(keys[i]), vars_[i].value,
                               addGrads && vars_[i].trainable ? &vars_[i].grad : nullptr);
  return p;
}

}  // namespace tessel
