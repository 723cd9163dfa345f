#include "engine/layers/Conv2DTranspose.h"

#include <algorithm>

namespace tessel {

Conv2DTranspose::Conv2DTranspose(const json& config) : Layer("Conv2DTranspose", config) {
  requireChannelsLast(config_, name_);
  filters_ = config_.value("filters", Index(0));
  kernel_ = configTuple(config_, "kernel_size", 2, name_);
  strides_ = configTuple(config_, "strides", 2, name_);
  dilation_ = configTuple(config_, "dilation_rate", 2, name_);
  padding_ = config_.value("padding", std::string("valid"));
  useBias_ = config_.value("use_bias", true);
  if (filters_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'filters' must be positive");
  if (config_.contains("output_padding") && !config_["output_padding"].is_null())
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'output_padding' is not supported yet; use null");
  if ((strides_[0] > 1 || strides_[1] > 1) && (dilation_[0] > 1 || dilation_[1] > 1))
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)");
  act_ = FusedActivation(config_.value("activation", json("linear")), name_);
  if (!config_.value("activity_regularizer", json()).is_null())
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'activity_regularizer' is not supported by " + className_ +
                        " yet; use null (or an ActivityRegularization layer after it)");
}

Index Conv2DTranspose::outLen(Index in, int a) const {
  if (in == kNone) return kNone;
  const Index ek = (kernel_[size_t(a)] - 1) * dilation_[size_t(a)] + 1;
  return padding_ == "same" ? in * strides_[size_t(a)] : (in - 1) * strides_[size_t(a)] + ek;
}

ConvGeom Conv2DTranspose::geometry(Index n, Index h, Index w) const {
  // The forward conv maps (OH, OW, filters) → (H, W, in); TF pads it as conv2d_backprop_input.
  ConvGeom g;
  g.n = n, g.h = outLen(h, 0), g.w = outLen(w, 1), g.c = filters_;
  g.kh = kernel_[0], g.kw = kernel_[1], g.sh = strides_[0], g.sw = strides_[1];
  g.dh = dilation_[0], g.dw = dilation_[1], g.oh = h, g.ow = w;
  if (padding_ == "same") {
    const Index th = std::max<Index>((h - 1) * g.sh + (g.kh - 1) * g.dh + 1 - g.h, 0);
    const Index tw = std::max<Index>((w - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.w, 0);
    g.padT = th / 2, g.padL = tw / 2;
  }
  return g;
}

Shape Conv2DTranspose::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    className_ + " takes 1 input, got " + std::to_string(inputs.size()));
  const Shape& in = inputs[0];
  requireRank(in, 4, className_, name_, "(batch, height, width, channels)");
  requireKnown(in, 3, name_, "channels");
  return {kNone, outLen(in[1], 0), outLen(in[2], 1), filters_};
}

void Conv2DTranspose::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  initializeTensor(config_.value("kernel_initializer", json("glorot_uniform")),
                   addVariable("kernel", {kernel_[0], kernel_[1], filters_, inputs[0][3]}).value,
                   rng, name_);
  if (useBias_)
    initializeTensor(config_.value("bias_initializer", json("zeros")),
                     addVariable("bias", {filters_}).value, rng, name_);
  built_ = true;
}

void Conv2DTranspose::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.dim(0), X.dim(1), X.dim(2));
  const ConvGeom& g = geom_;
  const Index Cin = X.dim(3), Mi = g.rows(), K = g.cols(filters_), F = filters_;
  col_.resize({Mi, K});
  MatrixMap(col_.data(), Mi, K).noalias() =
      ConstMatrixMap(X.data(), Mi, Cin) * ConstMatrixMap(vars_[0].value.data(), K, Cin).transpose();
  y.resize({g.n, g.h, g.w, F});
  y.setZero();
  col2im(col_.data(), g, 0, F, y.data());
  const Index M = g.n * g.h * g.w;
  const float* b = useBias_ ? vars_[1].value.data() : nullptr;
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

void Conv2DTranspose::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const ConvGeom& g = geom_;
  const Index Cin = X.dim(3), Mi = g.rows(), K = g.cols(filters_), F = filters_;
  const Index M = g.n * g.h * g.w;
  const float* dzp = dy.data();
  if (!act_.isLinear()) {
    dz_.resize(dy.shape());
    act_.backward(act_.needsPreactivation() ? z_.data() : nullptr, y.data(), dy.data(), dz_.data(),
                  M, F);
    dzp = dz_.data();
  }
  if (useBias_ && vars_[1].trainable)
    vars_[1].grad.flat().noalias() = ConstMatrixMap(dzp, M, F).colwise().sum().transpose();
  // col_ is free after forward: reuse it for dcol (Mi, K).
  im2col(dzp, g, 0, F, col_.data());
  ConstMatrixMap dcol(col_.data(), Mi, K);
  Variable& k = vars_[0];
  if (k.trainable)
    MatrixMap(k.grad.data(), K, Cin).noalias() =
        dcol.transpose() * ConstMatrixMap(X.data(), Mi, Cin);
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(X.shape());
  MatrixMap(dx[0]->data(), Mi, Cin).noalias() = dcol * ConstMatrixMap(k.value.data(), K, Cin);
}

double Conv2DTranspose::regularization(bool addGrads) {
  double p = 0.0;
  const char* keys[2] = {"kernel_regularizer", "bias_regularizer"};
  for (size_t i = 0; i < vars_.size(); ++i)
    p += regularizationPenalty(config_.value(keys[i], json()), vars_[i].value,
                               addGrads && vars_[i].trainable ? &vars_[i].grad : nullptr);
  return p;
}

}  // namespace tessel
