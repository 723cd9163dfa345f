#include "engine/layers/DepthwiseConv2D.h"

#include <algorithm>

namespace tessel {

void depthwiseForward(const float* x, const ConvGeom& g, const float* k, Index dm, float* y) {
  const Index C = g.c, CO = C * dm;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < g.n * g.oh; ++r) {
    const Index b = r / g.oh, oy = r % g.oh;
    const float* xb = x + b * g.h * g.w * C;
    for (Index ox = 0; ox < g.ow; ++ox) {
      float* out = y + (r * g.ow + ox) * CO;
      std::fill(out, out + CO, 0.0f);
      for (Index i = 0; i < g.kh; ++i) {
        const Index iy = oy * g.sh - g.padT + i * g.dh;
        if (iy < 0 || iy >= g.h) continue;
        for (Index j = 0; j < g.kw; ++j) {
          const Index ix = ox * g.sw - g.padL + j * g.dw;
          if (ix < 0 || ix >= g.w) continue;
          const float* p = xb + (iy * g.w + ix) * C;
          const float* kk = k + (i * g.kw + j) * CO;
          if (dm == 1)
            for (Index c = 0; c < C; ++c) out[c] += p[c] * kk[c];
          else
            for (Index c = 0; c < C; ++c)
              for (Index m = 0; m < dm; ++m) out[c * dm + m] += p[c] * kk[c * dm + m];
        }
      }
    }
  }
}

void depthwiseBackward(const float* x, const ConvGeom& g, const float* k, Index dm, const float* dy,
                       float* dk, float* dx) {
  const Index C = g.c, CO = C * dm;
  if (dk) {
    // One kernel tap (i, j) per task: dk[i, j, :, :] = Σ_{n, oy, ox} x · dy.
#pragma omp parallel for schedule(dynamic)
    for (Index t = 0; t < g.kh * g.kw; ++t) {
      const Index i = t / g.kw, j = t % g.kw;
      float* d = dk + t * CO;
      std::fill(d, d + CO, 0.0f);
      for (Index b = 0; b < g.n; ++b)
        for (Index oy = 0; oy < g.oh; ++oy) {
          const Index iy = oy * g.sh - g.padT + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (Index ox = 0; ox < g.ow; ++ox) {
            const Index ix = ox * g.sw - g.padL + j * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            const float* p = x + ((b * g.h + iy) * g.w + ix) * C;
            const float* e = dy + ((b * g.oh + oy) * g.ow + ox) * CO;
            for (Index c = 0; c < C; ++c)
              for (Index m = 0; m < dm; ++m) d[c * dm + m] += p[c] * e[c * dm + m];
          }
        }
    }
  }
  if (!dx) return;
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < g.n; ++b) {
    float* db = dx + b * g.h * g.w * C;
    std::fill(db, db + g.h * g.w * C, 0.0f);
    for (Index oy = 0; oy < g.oh; ++oy)
      for (Index ox = 0; ox < g.ow; ++ox) {
        const float* e = dy + ((b * g.oh + oy) * g.ow + ox) * CO;
        for (Index i = 0; i < g.kh; ++i) {
          const Index iy = oy * g.sh - g.padT + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (Index j = 0; j < g.kw; ++j) {
            const Index ix = ox * g.sw - g.padL + j * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            float* p = db + (iy * g.w + ix) * C;
            const float* kk = k + (i * g.kw + j) * CO;
            for (Index c = 0; c < C; ++c) {
              float s = 0;
              for (Index m = 0; m < dm; ++m) s += e[c * dm + m] * kk[c * dm + m];
              p[c] += s;
            }
          }
        }
      }
  }
}

DepthwiseConv2D::DepthwiseConv2D(const json& config) : Layer("DepthwiseConv2D", config) {
  requireChannelsLast(config_, name_);
  dm_ = config_.value("depth_multiplier", Index(1));
  kernel_ = configTuple(config_, "kernel_size", 2, name_);
  strides_ = configTuple(config_, "strides", 2, name_);
  dilation_ = configTuple(config_, "dilation_rate", 2, name_);
  padding_ = config_.value("padding", std::string("valid"));
  useBias_ = config_.value("use_bias", true);
  if (dm_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'depth_multiplier' must be positive");
  if ((strides_[0] > 1 || strides_[1] > 1) && (dilation_[0] > 1 || dilation_[1] > 1))
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)");
  act_ = FusedActivation(config_.value("activation", json("linear")), name_);
  if (!config_.value("activity_regularizer", json()).is_null())
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'activity_regularizer' is not supported by " + className_ +
                        " yet; use null (or an ActivityRegularization layer after it)");
}

ConvGeom DepthwiseConv2D::geometry(const Shape& in) const {
  return makeConvGeom(in[1], in[2], in[3], kernel_[0], kernel_[1], strides_[0], strides_[1],
                      dilation_[0], dilation_[1], padding_);
}

Shape DepthwiseConv2D::outputShape(const std::vector<Shape>& inputs) const {
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
  return {kNone, g.oh, g.ow, in[3] * dm_};
}

void DepthwiseConv2D::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Index C = inputs[0][3];
  vars_.clear();
  initializeTensor(config_.value("depthwise_initializer", json("glorot_uniform")),
                   addVariable("depthwise_kernel", {kernel_[0], kernel_[1], C, dm_}).value, rng,
                   name_);
  if (useBias_)
    initializeTensor(config_.value("bias_initializer", json("zeros")),
                     addVariable("bias", {C * dm_}).value, rng, name_);
  built_ = true;
}

void DepthwiseConv2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.shape());
  geom_.n = X.dim(0);
  const Index CO = geom_.c * dm_, M = geom_.rows();
  y.resize({geom_.n, geom_.oh, geom_.ow, CO});
  depthwiseForward(X.data(), geom_, vars_[0].value.data(), dm_, y.data());
  const float* b = useBias_ ? vars_[1].value.data() : nullptr;
  if (act_.needsPreactivation()) z_.resize(y.shape());
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < M; ++r) {
    float* p = y.data() + r * CO;
    if (b)
      for (Index c = 0; c < CO; ++c) p[c] += b[c];
    if (act_.needsPreactivation()) std::copy(p, p + CO, z_.data() + r * CO);
    act_.forward(p, 1, CO);
  }
}

void DepthwiseConv2D::backward(const std::vector<const Tensor*>& x, const Tensor& y,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const Index CO = geom_.c * dm_, M = geom_.rows();
  const float* dzp = dy.data();
  if (!act_.isLinear()) {
    dz_.resize(dy.shape());
    act_.backward(act_.needsPreactivation() ? z_.data() : nullptr, y.data(), dy.data(), dz_.data(),
                  M, CO);
    dzp = dz_.data();
  }
  Variable& k = vars_[0];
  if (useBias_ && vars_[1].trainable)
    vars_[1].grad.flat().noalias() = ConstMatrixMap(dzp, M, CO).colwise().sum().transpose();
  float* dxp = nullptr;
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(X.shape());
    dxp = dx[0]->data();
  }
  depthwiseBackward(X.data(), geom_, k.value.data(), dm_, dzp,
                    k.trainable ? k.grad.data() : nullptr, dxp);
}

double DepthwiseConv2D::regularization(bool addGrads) {
  double p = 0.0;
  Variable& k = vars_[0];
  p += regularizationPenalty(config_.value("depthwise_regularizer", json()), k.value,
                             addGrads && k.trainable ? &k.grad : nullptr);
  if (useBias_) {
    Variable& b = vars_[1];
    p += regularizationPenalty(config_.value("bias_regularizer", json()), b.value,
                               addGrads && b.trainable ? &b.grad : nullptr);
  }
  return p;
}

}  // namespace tessel
