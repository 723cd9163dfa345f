#include "engine/layers/SeparableConv2D.h"

#include <algorithm>

#include "engine/layers/DepthwiseConv2D.h"

namespace tessel {

SeparableConv2D::SeparableConv2D(const json& config) : Layer("SeparableConv2D", config) {
  requireChannelsLast(config_, name_);
  filters_ = config_.value("filters", Index(0));
  dm_ = config_.value("depth_multiplier", Index(1));
  kernel_ = configTuple(config_, "kernel_size", 2, name_);
  strides_ = configTuple(config_, "strides", 2, name_);
  dilation_ = configTuple(config_, "dilation_rate", 2, name_);
  padding_ = config_.value("padding", std::string("valid"));
  useBias_ = config_.value("use_bias", true);
  if (filters_ < 1 || dm_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'filters' and 'depth_multiplier' must be positive");
  if ((strides_[0] > 1 || strides_[1] > 1) && (dilation_[0] > 1 || dilation_[1] > 1))
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)");
  act_ = FusedActivation(config_.value("activation", json("linear")), name_);
  if (!config_.value("activity_regularizer", json()).is_null())
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'activity_regularizer' is not supported by " + className_ +
                        " yet; use null (or an ActivityRegularization layer after it)");
}

ConvGeom SeparableConv2D::geometry(const Shape& in) const {
  return makeConvGeom(in[1], in[2], in[3], kernel_[0], kernel_[1], strides_[0], strides_[1],
                      dilation_[0], dilation_[1], padding_);
}

Shape SeparableConv2D::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    className_ + " takes 1 input, got " + std::to_string(inputs.size()));
  const Shape& in = inputs[0];
  requireRank(in, 4, className_, name_, "(batch, height, width, channels)");
  requireKnown(in, 3, name_, "channels");
  if (padding_ == "valid")
    for (int a = 0; a < 2; ++a) {
      Index ek = (kernel_[size_t(a)] - 1) * dilation_[size_t(a)] + 1;
      if (in[size_t(1 + a)] != kNone && ek > in[size_t(1 + a)])
        throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                        "kernel " + tupleToString(kernel_) + " is larger than the input " +
                            shapeToString(in) + " with padding 'valid'");
    }
  ConvGeom g = geometry(in);
  return {kNone, g.oh, g.ow, filters_};
}

void SeparableConv2D::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Index C = inputs[0][3];
  vars_.clear();
  initializeTensor(config_.value("depthwise_initializer", json("glorot_uniform")),
                   addVariable("depthwise_kernel", {kernel_[0], kernel_[1], C, dm_}).value, rng,
                   name_);
  initializeTensor(config_.value("pointwise_initializer", json("glorot_uniform")),
                   addVariable("pointwise_kernel", {1, 1, C * dm_, filters_}).value, rng, name_);
  if (useBias_)
    initializeTensor(config_.value("bias_initializer", json("zeros")),
                     addVariable("bias", {filters_}).value, rng, name_);
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
  const float* b = useBias_ ? vars_[2].value.data() : nullptr;
  if (act_.needsPreactivation()) z_.resize(y.shape());
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < M; ++r) {
    float* p = y.data() + r * F;
    if (b)
      for (Index c = 0; c < F; ++c) p[c] += b[c];
    if (act_.needsPreactivation()) std::copy(p, p + F, z_.data() + r * F);
    act_.forward(p, 1, F);
  }
}

void SeparableConv2D::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const Index CM = geom_.c * dm_, M = geom_.rows(), F = filters_;
  const float* dzp = dy.data();
  if (!act_.isLinear()) {
    dz_.resize(dy.shape());
    act_.backward(act_.needsPreactivation() ? z_.data() : nullptr, y.data(), dy.data(), dz_.data(),
                  M, F);
    dzp = dz_.data();
  }
  ConstMatrixMap dZ(dzp, M, F);
  Variable& dk = vars_[0];
  Variable& pk = vars_[1];
  if (pk.trainable)
    MatrixMap(pk.grad.data(), CM, F).noalias() =
        ConstMatrixMap(mid_.data(), M, CM).transpose() * dZ;
  if (useBias_ && vars_[2].trainable)
    vars_[2].grad.flat().noalias() = dZ.colwise().sum().transpose();
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
    p += regularizationPenalty(config_.value(keys[i], json()), vars_[i].value,
                               addGrads && vars_[i].trainable ? &vars_[i].grad : nullptr);
  return p;
}

}  // namespace tessel
