#include "engine/layers/Conv2DTranspose.h"

#include <algorithm>

namespace tessel {

Conv2DTranspose::Conv2DTranspose(const json& config) : Layer("Conv2DTranspose", config) {
  conv_ = parseConv2DConfig(config_, className_, name_);
  filters_ = config_.at("filters").get<Index>();
  if (filters_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'filters' must be positive");
  if (!config_.at("output_padding").is_null())
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'output_padding' is not supported yet; use null");
}

Index Conv2DTranspose::outLen(Index in, int a) const {
  if (in == kNone) return kNone;
  const Index ek = (conv_.kernel[size_t(a)] - 1) * conv_.dilation[size_t(a)] + 1;
  return conv_.padding == "same" ? in * conv_.strides[size_t(a)]
                                 : (in - 1) * conv_.strides[size_t(a)] + ek;
}

ConvGeom Conv2DTranspose::geometry(Index n, Index h, Index w) const {
  // The forward conv maps (OH, OW, filters) → (H, W, in); TF pads it as conv2d_backprop_input.
  ConvGeom g;
  g.n = n, g.h = outLen(h, 0), g.w = outLen(w, 1), g.c = filters_;
  g.kh = conv_.kernel[0], g.kw = conv_.kernel[1], g.sh = conv_.strides[0], g.sw = conv_.strides[1];
  g.dh = conv_.dilation[0], g.dw = conv_.dilation[1], g.oh = h, g.ow = w;
  if (conv_.padding == "same") {
    const Index th = std::max<Index>((h - 1) * g.sh + (g.kh - 1) * g.dh + 1 - g.h, 0);
    const Index tw = std::max<Index>((w - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.w, 0);
    g.padT = th / 2, g.padL = tw / 2;
  }
  return g;
}

Shape Conv2DTranspose::outputShape(const std::vector<Shape>& inputs) const {
  checkConv2DInput(inputs, conv_, className_, name_, false);
  const Shape& in = inputs[0];
  return {kNone, outLen(in[1], 0), outLen(in[2], 1), filters_};
}

void Conv2DTranspose::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  initializeTensor(
      config_.at("kernel_initializer"),
      addVariable("kernel", {conv_.kernel[0], conv_.kernel[1], filters_, inputs[0][3]}).value, rng,
      name_);
  if (conv_.useBias)
    initializeTensor(config_.at("bias_initializer"), addVariable("bias", {filters_}).value, rng,
                     name_);
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
  biasActivationForward(y.data(), g.n * g.h * g.w, F,
                        conv_.useBias ? vars_[1].value.data() : nullptr, conv_.act, z_);
}

void Conv2DTranspose::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const ConvGeom& g = geom_;
  const Index Cin = X.dim(3), Mi = g.rows(), K = g.cols(filters_), F = filters_;
  const bool biasGrad = conv_.useBias && vars_[1].trainable;
  const float* dzp = biasActivationBackward(dy.data(), y.data(), z_, g.n * g.h * g.w, F, conv_.act,
                                            dz_, biasGrad ? vars_[1].grad.data() : nullptr);
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
    p += regularizationPenalty(config_.at(keys[i]), vars_[i].value,
                               addGrads && vars_[i].trainable ? &vars_[i].grad : nullptr);
  return p;
}

}  // namespace tessel
