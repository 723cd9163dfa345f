#include "engine/layers/Conv2D.h"

#include <omp.h>

#include <algorithm>

#include "engine/layers/Regularizers.h"

namespace tessel {

namespace {

// y (M, F) ← act(y + b), row blocks in parallel; keeps z = y + b when `z` is given.
void biasActivate(float* y, Index M, Index F, const float* b, const FusedActivation& act,
                  float* z) {
  if (!b && act.isLinear()) return;
  const Index block = 64;
  const Index nBlocks = (M + block - 1) / block;
#pragma omp parallel for schedule(static)
  for (Index blk = 0; blk < nBlocks; ++blk) {
    const Index r0 = blk * block, r1 = std::min(M, r0 + block);
    float* p = y + r0 * F;
    if (b)
      for (Index r = r0; r < r1; ++r, p += F)
        for (Index f = 0; f < F; ++f) p[f] += b[f];
    if (z) std::copy(y + r0 * F, y + r1 * F, z + r0 * F);
    act.forward(y + r0 * F, r1 - r0, F);
  }
}

}  // namespace

Conv2D::Conv2D(const std::string& className, const json& config, int rank)
    : Layer(className, config), rank_(rank) {
  requireChannelsLast(config_, name_);
  filters_ = config_.at("filters").get<Index>();
  groups_ = config_.at("groups").get<Index>();
  const size_t n = size_t(rank);
  auto k = configTuple(config_, "kernel_size", n, name_);
  auto s = configTuple(config_, "strides", n, name_);
  auto d = configTuple(config_, "dilation_rate", n, name_);
  if (rank == 1) k.insert(k.begin(), 1), s.insert(s.begin(), 1), d.insert(d.begin(), 1);
  kernel_ = k, strides_ = s, dilation_ = d;
  padding_ = config_.at("padding").get<std::string>();
  useBias_ = config_.at("use_bias").get<bool>();
  if (filters_ < 1)
    throw SpecError(SpecErrorKind::BadValue, name_, "config 'filters' must be positive");
  if (groups_ < 1 || filters_ % groups_ != 0)
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "config 'groups' = " + std::to_string(groups_) +
                        " must divide filters = " + std::to_string(filters_));
  bool strided = std::any_of(s.begin(), s.end(), [](Index v) { return v > 1; });
  bool dilated = std::any_of(d.begin(), d.end(), [](Index v) { return v > 1; });
  if (strided && dilated)
    throw SpecError(SpecErrorKind::BadValue, name_,
                    "strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)");
  act_ = FusedActivation(config_.at("activation"), name_);
  activityReg_ = config_.at("activity_regularizer");
  if (!activityReg_.is_null() && !Regularizer::fromJson(activityReg_).active) activityReg_ = json();
}

ConvGeom Conv2D::geometry(const Shape& in) const {
  Index h = rank_ == 2 ? in[1] : 1, w = in[rank_ == 2 ? 2 : 1], c = in.back();
  return makeConvGeom(h, w, c, kernel_[0], kernel_[1], strides_[0], strides_[1], dilation_[0],
                      dilation_[1], padding_);
}

Shape Conv2D::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, rank_, className_, name_);
  requireKnown(in, in.size() - 1, name_, "channels");
  if (in.back() % groups_ != 0)
    throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                    "input channels " + std::to_string(in.back()) + " of " + shapeToString(in) +
                        " are not divisible by groups = " + std::to_string(groups_));
  if (padding_ == "valid") {
    for (int a = 0; a < rank_; ++a) {
      Index dim = in[size_t(1 + a)];
      int ka = rank_ == 2 ? a : 1;
      Index ek = (kernel_[size_t(ka)] - 1) * dilation_[size_t(ka)] + 1;
      if (dim != kNone && ek > dim) {
        std::vector<Index> ks(kernel_.begin() + (rank_ == 2 ? 0 : 1), kernel_.end());
        throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                        "kernel " + tupleToString(ks) +
                            (ek != kernel_[size_t(ka)] ? " (dilated to " + std::to_string(ek) + ")"
                                                       : std::string()) +
                            " is larger than the input " + shapeToString(in) +
                            " with padding 'valid'; use padding 'same' or a smaller kernel");
      }
    }
  }
  ConvGeom g = geometry(in);
  if (rank_ == 2) return {kNone, g.oh, g.ow, filters_};
  return {kNone, g.ow, filters_};
}

void Conv2D::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  const Index cg = inputs[0].back() / groups_;
  vars_.clear();
  Shape ks =
      rank_ == 2 ? Shape{kernel_[0], kernel_[1], cg, filters_} : Shape{kernel_[1], cg, filters_};
  initializeTensor(config_.at("kernel_initializer"), addVariable("kernel", ks).value, rng, name_);
  if (useBias_)
    initializeTensor(config_.at("bias_initializer"), addVariable("bias", {filters_}).value, rng,
                     name_);
  built_ = true;
}

void Conv2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.shape());
  geom_.n = X.dim(0);
  const ConvGeom& g = geom_;
  const Index F = filters_, G = groups_, cg = g.c / G, fg = F / G, M = g.rows(), Kg = g.cols(cg);
  if (rank_ == 2)
    y.resize({g.n, g.oh, g.ow, F});
  else
    y.resize({g.n, g.ow, F});
  if (fastPath(g)) {
    float* z = nullptr;
    if (act_.needsPreactivation()) {
      z_.resize(y.shape());
      z = z_.data();
    }
    forwardFast(X, y, z);
    if (!activityReg_.is_null())  // Keras 2: activity penalty divided by the batch size
      ctx.addedLoss +=
          Regularizer::fromJson(activityReg_).penalty(y.data(), y.size()) / double(g.n);
    return;
  }
  MatrixMap Y(y.data(), M, F);
  ConstMatrixMap W(vars_[0].value.data(), Kg, F);
  if (G == 1 && g.identity()) {
    Y.noalias() = ConstMatrixMap(X.data(), M, g.c) * W;
  } else {
    col_.resize({G, M, Kg});
    for (Index gi = 0; gi < G; ++gi) {
      float* colg = col_.data() + gi * M * Kg;
      im2col(X.data(), g, gi * cg, cg, colg);
      if (G == 1)
        Y.noalias() = ConstMatrixMap(colg, M, Kg) * W;
      else
        Y.middleCols(gi * fg, fg).noalias() =
            ConstUnalignedMatrixMap(colg, M, Kg) * W.middleCols(gi * fg, fg);
    }
  }
  float* z = nullptr;
  if (act_.needsPreactivation()) {
    z_.resize(y.shape());
    z = z_.data();
  }
  biasActivate(y.data(), M, F, useBias_ ? vars_[1].value.data() : nullptr, act_, z);
  if (!activityReg_.is_null())  // Keras 2: activity penalty divided by the batch size
    ctx.addedLoss += Regularizer::fromJson(activityReg_).penalty(y.data(), y.size()) / double(g.n);
}

void Conv2D::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                      const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& X = *x[0];
  const ConvGeom& g = geom_;
  const Index F = filters_, G = groups_, cg = g.c / G, fg = F / G, M = g.rows(), Kg = g.cols(cg);
  // dz (M, F) = dy · act'(z)
  const float* dzp = dy.data();
  const float* dyp = dy.data();
  if (!activityReg_.is_null()) {  // dy + d(penalty / N)/dy, then through the activation
    dz_.copyFrom(dy);
    Regularizer::fromJson(activityReg_)
        .addGradient(y.data(), dz_.data(), y.size(), 1.0f / float(g.n));
    dyp = dzp = dz_.data();
  }
  if (!act_.isLinear()) {
    dz_.resize(dy.shape());
    const Index block = 256, nBlocks = (M + block - 1) / block;
    const float* z = act_.needsPreactivation() ? z_.data() : nullptr;
#pragma omp parallel for schedule(static)
    for (Index bi = 0; bi < nBlocks; ++bi) {
      const Index r0 = bi * block, rows = std::min(block, M - r0), a = r0 * F;
      act_.backward(z ? z + a : nullptr, y.data() + a, dyp + a, dz_.data() + a, rows, F);
    }
    dzp = dz_.data();
  }
  ConstMatrixMap dZ(dzp, M, F);
  Variable& kv = vars_[0];
  if (fastPath(g)) {
    if (useBias_ && vars_[1].trainable)
      vars_[1].grad.flat().noalias() = dZ.colwise().sum().transpose();
    backwardFast(X, dzp, dx.empty() ? nullptr : dx[0]);
    return;
  }
  const bool identity = G == 1 && g.identity();
  if (kv.trainable) {
    MatrixMap dW(kv.grad.data(), Kg, F);
    if (identity) {
      dW.noalias() = ConstMatrixMap(X.data(), M, g.c).transpose() * dZ;
    } else {
      for (Index gi = 0; gi < G; ++gi) {
        ConstUnalignedMatrixMap colg(col_.data() + gi * M * Kg, M, Kg);
        if (G == 1)
          dW.noalias() = colg.transpose() * dZ;
        else
          dW.middleCols(gi * fg, fg).noalias() = colg.transpose() * dZ.middleCols(gi * fg, fg);
      }
    }
  }
  if (useBias_ && vars_[1].trainable)
    vars_[1].grad.flat().noalias() = dZ.colwise().sum().transpose();
  if (dx.empty() || !dx[0]) return;
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  ConstMatrixMap W(kv.value.data(), Kg, F);
  if (identity) {
    MatrixMap(dX.data(), M, g.c).noalias() = dZ * W.transpose();
    return;
  }
  dX.setZero();
  dcol_.resize({M, Kg});
  MatrixMap dcol(dcol_.data(), M, Kg);
  for (Index gi = 0; gi < G; ++gi) {
    if (G == 1)
      dcol.noalias() = dZ * W.transpose();
    else
      dcol.noalias() = dZ.middleCols(gi * fg, fg) * W.middleCols(gi * fg, fg).transpose();
    col2im(dcol_.data(), g, gi * cg, cg, dX.data());
  }
}

bool Conv2D::fastPath(const ConvGeom& g) const {
  return groups_ == 1 && !g.identity() && convGemmAvailable();
}

bool Conv2D::direct() const {
  const ConvGeom& g = geom_;
  return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1;
}

// xp (Hp, Wp, C) interior ← x (h, w, C) at offset (padT, padL); the border is left untouched.
void Conv2D::padSample(const float* x, float* xp) const {
  const ConvGeom& g = geom_;
  const Index Wp = g.ow + g.kw - 1, rowLen = g.w * g.c;
  for (Index iy = 0; iy < g.h; ++iy)
    std::copy(x + iy * rowLen, x + (iy + 1) * rowLen, xp + ((iy + g.padT) * Wp + g.padL) * g.c);
}

void Conv2D::forwardFast(const Tensor& X, Tensor& y, float* z) {
  const ConvGeom& g = geom_;
  const Index F = filters_, K = g.cols(g.c), P = g.oh * g.ow, inSize = g.h * g.w * g.c;
  const int T = std::max(1, std::min<int>(omp_get_max_threads(), int(g.n)));
  colT_.resize({Index(T), P * K});
  const float* W = vars_[0].value.data();
  const float* b = useBias_ ? vars_[1].value.data() : nullptr;
  const bool dir = direct();
  const Index Hp = g.oh + g.kh - 1, Wp = g.ow + g.kw - 1, KR = g.kw * g.c;
  const Index gm = (g.oh - 1) * Wp + g.ow;  // rows of the padded output grid
  if (dir) {
    xpT_.resize({Index(T), Hp * Wp * g.c});
    gridT_.resize({Index(T), gm * F});
  } else {
    colT_.resize({Index(T), P * K});
  }
#pragma omp parallel num_threads(T)
  {
    const Index t = omp_get_thread_num();
    float* col = dir ? nullptr : colT_.data() + t * P * K;
    float* xp = dir ? xpT_.data() + t * Hp * Wp * g.c : nullptr;
    float* grid = dir ? gridT_.data() + t * gm * F : nullptr;
    if (dir) std::fill(xp, xp + Hp * Wp * g.c, 0.0f);  // the border stays zero
#pragma omp for schedule(static)
    for (Index s = 0; s < g.n; ++s) {
      // ys (P, F) = act(col (P, K) · W (K, F) + b)
      float* ys = y.data() + s * P * F;
      if (dir) {
        // grid row i = oy*Wp + ox: Σ_ki xp rows (i + ki*Wp) (kw*C contiguous) · W[ki] (kw*C, F)
        padSample(X.data() + s * inSize, xp);
        for (Index ki = 0; ki < g.kh; ++ki)
          convGemm(gm, F, KR, xp + ki * Wp * g.c, g.c, 1, W + ki * KR * F, F, grid, F, ki > 0);
        for (Index oy = 0; oy < g.oh; ++oy)
          std::copy(grid + oy * Wp * F, grid + (oy * Wp + g.ow) * F, ys + oy * g.ow * F);
      } else {
        im2colSample(X.data() + s * inSize, g, 0, g.c, col);
        convGemm(P, F, K, col, K, 1, W, F, ys, F, false);
      }
      if (b)
        for (Index r = 0; r < P; ++r)
          for (Index f = 0; f < F; ++f) ys[r * F + f] += b[f];
      if (z) std::copy(ys, ys + P * F, z + s * P * F);
      act_.forward(ys, P, F);
    }
  }
}

void Conv2D::backwardFast(const Tensor& X, const float* dz, Tensor* dX) {
  const ConvGeom& g = geom_;
  const Index F = filters_, K = g.cols(g.c), P = g.oh * g.ow, inSize = g.h * g.w * g.c;
  const int T = std::max(1, std::min<int>(omp_get_max_threads(), int(g.n)));
  Variable& kv = vars_[0];
  const bool needW = kv.trainable, needX = dX != nullptr;
  if (!needW && !needX) return;
  const bool dir = direct();
  const Index Hp = g.oh + g.kh - 1, Wp = g.ow + g.kw - 1, KR = g.kw * g.c;
  const Index gm = (g.oh - 1) * Wp + g.ow;
  if (needW && dir) {
    xpT_.resize({Index(T), Hp * Wp * g.c});
    gridT_.resize({Index(T), gm * F});
  } else if (needW) {
    colT_.resize({Index(T), P * K});
  }
  if (needW) dWT_.resize({Index(T), K * F});
  used_.assign(size_t(T), 0);
  if (needX) {
    dX->resize(X.shape());
    dcolT_.resize({Index(T), P * K});
    wt_.resize({F, K});  // wt (F, K) = Wᵀ
    const float* W = kv.value.data();
    for (Index k = 0; k < K; ++k)
      for (Index f = 0; f < F; ++f) wt_.data()[f * K + k] = W[k * F + f];
  }
#pragma omp parallel num_threads(T)
  {
    const Index t = omp_get_thread_num();
    float* col = needW && !dir ? colT_.data() + t * P * K : nullptr;
    float* xp = needW && dir ? xpT_.data() + t * Hp * Wp * g.c : nullptr;
    float* grid = needW && dir ? gridT_.data() + t * gm * F : nullptr;
    if (xp) {
      std::fill(xp, xp + Hp * Wp * g.c, 0.0f);
      std::fill(grid, grid + gm * F, 0.0f);  // the Wp - ow gap columns stay zero
    }
#pragma omp for schedule(static)
    for (Index s = 0; s < g.n; ++s) {
      const float* dzs = dz + s * P * F;  // (P, F)
      if (needW && dir) {
        // dW[ki] (kw*C, F) += xp rows (i + ki*Wp)ᵀ · dz on the padded grid
        padSample(X.data() + s * inSize, xp);
        for (Index oy = 0; oy < g.oh; ++oy)
          std::copy(dzs + oy * g.ow * F, dzs + (oy + 1) * g.ow * F, grid + oy * Wp * F);
        float* dWt = dWT_.data() + t * K * F;
        for (Index ki = 0; ki < g.kh; ++ki)
          convGemm(KR, F, gm, xp + ki * Wp * g.c, 1, g.c, grid, F, dWt + ki * KR * F, F,
                   used_[size_t(t)] != 0);
        used_[size_t(t)] = 1;
      } else if (needW) {
        // dW_t (K, F) += col (P, K)ᵀ · dz (P, F)
        im2colSample(X.data() + s * inSize, g, 0, g.c, col);
        convGemm(K, F, P, col, 1, K, dzs, F, dWT_.data() + t * K * F, F, used_[size_t(t)] != 0);
        used_[size_t(t)] = 1;
      }
      if (needX) {
        // dx_s = col2im(dz (P, F) · Wᵀ (F, K))
        float* dcol = dcolT_.data() + t * P * K;
        convGemm(P, K, F, dzs, F, 1, wt_.data(), K, dcol, K, false);
        float* dxs = dX->data() + s * inSize;
        std::fill(dxs, dxs + inSize, 0.0f);
        col2imSample(dcol, g, 0, g.c, dxs);
      }
    }
    // (implicit barrier) dW = Σ over the threads' partial sums, in the same parallel region.
    if (needW) {
      float* dW = kv.grad.data();
      const Index n = K * F;
#pragma omp for schedule(static)
      for (Index i = 0; i < n; ++i) {
        float sum = 0.0f;
        for (int u = 0; u < T; ++u)
          if (used_[size_t(u)]) sum += dWT_.data()[Index(u) * n + i];
        dW[i] = sum;
      }
    }
  }
}

double Conv2D::regularization(bool addGrads) {
  double p = 0.0;
  Variable& k = vars_[0];
  p += regularizationPenalty(config_.at("kernel_regularizer"), k.value,
                             addGrads && k.trainable ? &k.grad : nullptr);
  if (useBias_) {
    Variable& b = vars_[1];
    p += regularizationPenalty(config_.at("bias_regularizer"), b.value,
                               addGrads && b.trainable ? &b.grad : nullptr);
  }
  return p;
}

}  // namespace tessel
