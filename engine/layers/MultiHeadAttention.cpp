#include "engine/layers/MultiHeadAttention.h"

#include <cmath>
#include <set>

#include "engine/core/Error.h"
#include "engine/layers/AttentionCore.h"

namespace tessel {

using attention::ConstStridedMap;
using attention::StridedMap;

namespace {
using RowVecMap = Eigen::Map<Eigen::RowVectorXf, Eigen::Unaligned>;
using ConstRowVecMap = Eigen::Map<const Eigen::RowVectorXf, Eigen::Unaligned>;
}  // namespace

MultiHeadAttention::MultiHeadAttention(const json& config) : Layer("MultiHeadAttention", config) {
  try {
    heads_ = config_.at("num_heads").get<Index>();
    keyDim_ = config_.at("key_dim").get<Index>();
    const json& vd = config_.at("value_dim");
    valueDim_ = vd.is_null() ? keyDim_ : vd.get<Index>();
    dropout_ = config_.at("dropout").get<double>();
    useBias_ = config_.at("use_bias").get<bool>();
    const json& os = config_.at("output_shape");
    if (os.is_number_integer()) {
      outDim_ = os.get<Index>();
    } else if (os.is_array()) {
      if (os.size() != 1 || !os[0].is_number_integer())
        throwBadValue("config 'output_shape' = " + os.dump() +
                      ": only one output dimension (an int or a list of one) is supported");
      outDim_ = os[0].get<Index>();
    } else if (!os.is_null()) {
      throwBadValue("config 'output_shape' must be null, an int or a list of one int");
    }
    kernelInit_ = Initializer::fromJson(config_.at("kernel_initializer"));
    biasInit_ = Initializer::fromJson(config_.at("bias_initializer"));
    kernelReg_ = Regularizer::fromJson(config_.at("kernel_regularizer"));
    biasReg_ = Regularizer::fromJson(config_.at("bias_regularizer"));
    activityReg_ = Regularizer::fromJson(config_.at("activity_regularizer"));
  } catch (const SpecError&) {
    throw;
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
  if (heads_ < 1 || keyDim_ < 1 || valueDim_ < 1)
    throwBadValue("num_heads, key_dim and value_dim must be positive");
  if (outDim_ != -1 && outDim_ < 1) throwBadValue("config 'output_shape' must be positive");
  if (dropout_ < 0.0 || dropout_ >= 1.0) throwBadValue("config 'dropout' must be in [0, 1)");
  causal_ = attention::causalFromConfig(config_);
  returnScores_ = config_.value("return_attention_scores", false);
  if (auto it = config_.find("seed"); it != config_.end() && it->is_number_integer())
    ownRng_.emplace(it->get<std::uint64_t>());
}

Shape MultiHeadAttention::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() < 2 || inputs.size() > 3)
    throwShapeMismatch(
        "MultiHeadAttention expects a list of 2 or 3 inputs [query, value] or "
        "[query, value, key], got " +
        std::to_string(inputs.size()));
  const Shape& q = inputs[0];
  const Shape& v = inputs[1];
  const Shape& k = inputs.size() > 2 ? inputs[2] : inputs[1];
  if (q.size() < 3 || v.size() != q.size() || k.size() != q.size())
    throwShapeMismatch(
        "MultiHeadAttention needs query, value and key of the same rank >= 3 "
        "(batch, steps, features); got query " +
        shapeToString(q) + ", value " + shapeToString(v) + ", key " + shapeToString(k));
  for (size_t i = 1; i + 1 < v.size(); ++i)
    if (v[i] != k[i])
      throwShapeMismatch(
          "all dimensions of value and key except the last one must be equal: "
          "value " +
          shapeToString(v) + ", key " + shapeToString(k));
  for (const Shape* s : {&q, &v, &k})
    if (s->back() == kNone)
      throwShapeMismatch("MultiHeadAttention needs known feature dimensions, got " +
                         shapeToString(*s));
  const json& axes = config_.at("attention_axes");
  if (!axes.is_null()) {
    std::set<Index> got, want;
    const int r = int(q.size());
    for (const json& a : axes.is_array() ? axes : json::array({axes})) {
      if (!a.is_number_integer()) throwBadValue("config 'attention_axes' must be integers");
      Index ax = a.get<Index>();
      got.insert(ax < 0 ? ax + r : ax);
    }
    for (Index i = 1; i + 1 < Index(r); ++i) want.insert(i);
    if (got != want)
      throwBadValue("attention_axes " + axes.dump() + " on rank-" + std::to_string(r) +
                    " inputs: only attention over every axis between batch and features (the "
                    "default) is supported");
  }
  if (causal_ && q.size() != 3)
    throwBadValue("use_causal_mask needs rank-3 inputs (batch, steps, features), got " +
                  shapeToString(q));
  if (builtDq_ >= 0 && (q.back() != builtDq_ || v.back() != builtDv_ || k.back() != builtDk_))
    throwShapeMismatch("inputs query " + shapeToString(q) + ", value " + shapeToString(v) +
                       ", key " + shapeToString(k) + " do not fit the weights built for " +
                       std::to_string(builtDq_) + ", " + std::to_string(builtDv_) + ", " +
                       std::to_string(builtDk_) + " features");
  Shape out = q;
  out.back() = outDim_ > 0 ? outDim_ : q.back();
  return out;
}

void MultiHeadAttention::build(const std::vector<Shape>& inputs, Rng& rng) {
  builtDq_ = builtDk_ = builtDv_ = -1;
  outputShape(inputs);
  vars_.clear();
  const Index dq = inputs[0].back(), dv = inputs[1].back();
  const Index dk = inputs.size() > 2 ? inputs[2].back() : dv;
  const Index out = outDim_ > 0 ? outDim_ : dq;
  auto dense = [&](const std::string& scope, Shape kernel, Shape bias, int& kIdx, int& bIdx) {
    kIdx = int(vars_.size());
    kernelInit_.fill(addVariable(scope + "/kernel", kernel).value, rng);
    bIdx = -1;
    if (useBias_) {
      bIdx = int(vars_.size());
      biasInit_.fill(addVariable(scope + "/bias", bias).value, rng);
    }
  };
  dense("query", {dq, heads_, keyDim_}, {heads_, keyDim_}, qk_, qb_);
  dense("key", {dk, heads_, keyDim_}, {heads_, keyDim_}, kk_, kb_);
  dense("value", {dv, heads_, valueDim_}, {heads_, valueDim_}, vk_, vb_);
  dense("attention_output", {heads_, valueDim_, out}, {out}, ok_, ob_);
  builtDq_ = dq, builtDk_ = dk, builtDv_ = dv;
  built_ = true;
}

MultiHeadAttention::Dims MultiHeadAttention::dims(const std::vector<const Tensor*>& xs) const {
  const Tensor& q = *xs[0];
  const Tensor& v = *xs[1];
  const Tensor& k = xs.size() > 2 ? *xs[2] : v;
  Dims d;
  d.n = q.dim(0);
  d.dq = q.dim(-1), d.dv = v.dim(-1), d.dk = k.dim(-1);
  if (d.dq != builtDq_ || d.dv != builtDv_ || d.dk != builtDk_)
    throw Error("MultiHeadAttention '" + name_ + "': inputs do not fit the built weights");
  d.tq = d.n ? q.size() / (d.n * d.dq) : 0;
  d.tv = d.n ? v.size() / (d.n * d.dv) : 0;
  return d;
}

void MultiHeadAttention::project(const float* x, Index rows, Index in, int var, Index cols,
                                 Tensor& out) const {
  out.resize({rows, cols});
  ConstUnalignedMatrixMap X(x, rows, in);
  ConstMatrixMap W(vars_[size_t(var)].value.data(), in, cols);
  MatrixMap Y(out.data(), rows, cols);
  const int b = var == qk_ ? qb_ : var == kk_ ? kb_ : var == vk_ ? vb_ : ob_;
  if (b >= 0) {
    Y.rowwise() = ConstRowVecMap(vars_[size_t(b)].value.data(), cols);
    Y.noalias() += X * W;
  } else {
    Y.noalias() = X * W;
  }
}

void MultiHeadAttention::projectBackward(const float* x, Index rows, Index in, int var, Index cols,
                                         const Tensor& dout, float* dx) {
  ConstUnalignedMatrixMap X(x, rows, in);
  ConstMatrixMap dY(dout.data(), rows, cols);
  Variable& w = vars_[size_t(var)];
  if (w.trainable) {
    MatrixMap dW(w.grad.data(), in, cols);
    dW.noalias() = X.transpose() * dY;
  }
  const int b = var == qk_ ? qb_ : var == kk_ ? kb_ : var == vk_ ? vb_ : ob_;
  if (b >= 0 && vars_[size_t(b)].trainable) {
    RowVecMap db(vars_[size_t(b)].grad.data(), cols);
    db = dY.colwise().sum();
  }
  if (dx) {
    UnalignedMatrixMap dX(dx, rows, in);
    ConstMatrixMap W(w.value.data(), in, cols);
    dX.noalias() = dY * W.transpose();
  }
}

std::vector<std::string> MultiHeadAttention::outputNames() const {
  if (returnScores_) return {"output", "scores"};
  return {"output"};
}

namespace {
// Keras's attention scores shape: (N, heads, query steps..., value steps...).
Shape scoresShape(const Shape& q, const Shape& v, Index heads) {
  Shape s{q[0], heads};
  for (size_t i = 1; i + 1 < q.size(); ++i) s.push_back(q[i]);
  for (size_t i = 1; i + 1 < v.size(); ++i) s.push_back(v[i]);
  return s;
}
}  // namespace

std::vector<Shape> MultiHeadAttention::outputShapes(const std::vector<Shape>& inputs) const {
  std::vector<Shape> out{outputShape(inputs)};
  if (returnScores_) out.push_back(scoresShape(inputs[0], inputs[1], heads_));
  return out;
}

// ---- forward ----------------------------------------------------------------------------------
void MultiHeadAttention::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  if (!built_) throw Error("MultiHeadAttention '" + name_ + "': forward before build");
  const Dims d = dims(xs);
  const Tensor& query = *xs[0];
  const Tensor& value = *xs[1];
  const Tensor& key = xs.size() > 2 ? *xs[2] : value;
  const Index H = heads_, K = keyDim_, Vd = valueDim_, hk = H * K, hv = H * Vd;
  const Index out = outDim_ > 0 ? outDim_ : d.dq;
  project(query.data(), d.n * d.tq, d.dq, qk_, hk, q_);  // (N*Tq, H*K)
  project(key.data(), d.n * d.tv, d.dk, kk_, hk, k_);    // (N*Tv, H*K)
  project(value.data(), d.n * d.tv, d.dv, vk_, hv, v_);  // (N*Tv, H*Vd)
  const float scale = 1.0f / std::sqrt(float(K));
  probs_.resize({d.n, H, d.tq, d.tv});
  dropped_ = ctx.training && dropout_ > 0.0;
  if (dropped_) {
    Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
    attention::drawDropoutMask(dropMul_, probs_.shape(), dropout_, rng);
  }
  // Keras 2 _compute_attention_mask: query_mask[:, :, None] & value_mask[:, None, :] &
  // key_mask[:, None, :] & causal.
  const float* qMask = attention::inputMaskOf(ctx, 0, d.n, d.tq, *this);
  const float* colMask = attention::inputMaskOf(ctx, 1, d.n, d.tv, *this);
  if (const float* kMask =
          xs.size() > 2 ? attention::inputMaskOf(ctx, 2, d.n, d.tv, *this) : nullptr;
      kMask && kMask != colMask) {
    colMask_.resize({d.n, d.tv});
    for (Index i = 0; i < d.n * d.tv; ++i)
      colMask_[i] = kMask[i] != 0.0f && (!colMask || colMask[i] != 0.0f) ? 1.0f : 0.0f;
    colMask = colMask_.data();
  }
  pd_.resize({d.tq, d.tv});
  o_.resize({d.n * d.tq, hv});
  for (Index b = 0; b < d.n; ++b)
    for (Index h = 0; h < H; ++h) {
      ConstStridedMap Q(q_.data() + b * d.tq * hk + h * K, d.tq, K, Eigen::OuterStride<>(hk));
      ConstStridedMap Kh(k_.data() + b * d.tv * hk + h * K, d.tv, K, Eigen::OuterStride<>(hk));
      ConstStridedMap V(v_.data() + b * d.tv * hv + h * Vd, d.tv, Vd, Eigen::OuterStride<>(hv));
      const Index off = (b * H + h) * d.tq * d.tv;
      float* p = probs_.data() + off;
      UnalignedMatrixMap S(p, d.tq, d.tv);
      S.noalias() = (Q * Kh.transpose()) * scale;
      attention::maskedSoftmaxRows(p, d.tq, d.tv, causal_, colMask ? colMask + b * d.tv : nullptr,
                                   qMask ? qMask + b * d.tq : nullptr);
      const float* pd = p;
      if (dropped_) {
        const float* m = dropMul_.data() + off;
        for (Index i = 0; i < d.tq * d.tv; ++i) pd_[i] = p[i] * m[i];
        pd = pd_.data();
      }
      StridedMap O(o_.data() + b * d.tq * hv + h * Vd, d.tq, Vd, Eigen::OuterStride<>(hv));
      O.noalias() = ConstUnalignedMatrixMap(pd, d.tq, d.tv) * V;
    }
  Shape outShape = query.shape();
  outShape.back() = out;
  y.resize(outShape);
  Tensor& yt = y;
  {
    ConstMatrixMap Oc(o_.data(), d.n * d.tq, hv);
    ConstMatrixMap Wo(vars_[size_t(ok_)].value.data(), hv, out);
    MatrixMap Y(yt.data(), d.n * d.tq, out);
    if (ob_ >= 0) {
      Y.rowwise() = ConstRowVecMap(vars_[size_t(ob_)].value.data(), out);
      Y.noalias() += Oc * Wo;
    } else {
      Y.noalias() = Oc * Wo;
    }
  }
  if (activityReg_.active) ctx.addedLoss += activityReg_.penalty(y.data(), y.size()) / double(d.n);
  if (Tensor* scores = returnScores_ ? ctx.extraOutput(1) : nullptr) {
    scores->resize(scoresShape(query.shape(), value.shape(), H));
    std::copy(probs_.data(), probs_.data() + probs_.size(), scores->data());
  }
}

// ---- backward ---------------------------------------------------------------------------------
// dO = dY Woᵀ; per (n, h): dP' = dO Vpᵀ, dVp = P'ᵀ dO, dP = dP' ⊙ keep, dS = softmax backward,
// dQ = dS Kp / sqrt(K), dKp = dSᵀ Q / sqrt(K); then the three input projections backward.
void MultiHeadAttention::backward(const std::vector<const Tensor*>& xs, const Tensor& y,
                                  const Tensor& dy, const std::vector<Tensor*>& dx,
                                  RunContext& ctx) {
  const Tensor* dScores = returnScores_ ? ctx.extraOutputGrad(1) : nullptr;  // dL/dP directly
  const Dims d = dims(xs);
  const Tensor& query = *xs[0];
  const Tensor& value = *xs[1];
  const bool ownKey = xs.size() > 2;
  const Tensor& key = ownKey ? *xs[2] : value;
  const Index H = heads_, K = keyDim_, Vd = valueDim_, hk = H * K, hv = H * Vd;
  const Index out = outDim_ > 0 ? outDim_ : d.dq;
  const float scale = 1.0f / std::sqrt(float(K));
  const Tensor* g = &dy;
  if (activityReg_.active) {
    dyAct_.copyFrom(dy);
    activityReg_.addGradient(y.data(), dyAct_.data(), y.size(), 1.0f / float(d.n));
    g = &dyAct_;
  }
  {
    Variable& wo = vars_[size_t(ok_)];
    ConstMatrixMap dY(g->data(), d.n * d.tq, out);
    if (wo.trainable) {
      MatrixMap dW(wo.grad.data(), hv, out);
      dW.noalias() = ConstMatrixMap(o_.data(), d.n * d.tq, hv).transpose() * dY;
    }
    if (ob_ >= 0 && vars_[size_t(ob_)].trainable)
      RowVecMap(vars_[size_t(ob_)].grad.data(), out) = dY.colwise().sum();
    do_.resize({d.n * d.tq, hv});
    MatrixMap dO(do_.data(), d.n * d.tq, hv);
    dO.noalias() = dY * ConstMatrixMap(wo.value.data(), hv, out).transpose();
  }
  dq_.resize({d.n * d.tq, hk});
  dk_.resize({d.n * d.tv, hk});
  dv_.resize({d.n * d.tv, hv});
  pd_.resize({d.tq, d.tv});
  ds_.resize({d.tq, d.tv});
  for (Index b = 0; b < d.n; ++b)
    for (Index h = 0; h < H; ++h) {
      ConstStridedMap Q(q_.data() + b * d.tq * hk + h * K, d.tq, K, Eigen::OuterStride<>(hk));
      ConstStridedMap Kh(k_.data() + b * d.tv * hk + h * K, d.tv, K, Eigen::OuterStride<>(hk));
      ConstStridedMap V(v_.data() + b * d.tv * hv + h * Vd, d.tv, Vd, Eigen::OuterStride<>(hv));
      ConstStridedMap dO(do_.data() + b * d.tq * hv + h * Vd, d.tq, Vd, Eigen::OuterStride<>(hv));
      const Index off = (b * H + h) * d.tq * d.tv;
      const float* p = probs_.data() + off;
      const float* m = dropped_ ? dropMul_.data() + off : nullptr;
      for (Index i = 0; i < d.tq * d.tv; ++i) pd_[i] = m ? p[i] * m[i] : p[i];
      StridedMap dV(dv_.data() + b * d.tv * hv + h * Vd, d.tv, Vd, Eigen::OuterStride<>(hv));
      dV.noalias() = pd_.matrix(d.tq, d.tv).transpose() * dO;
      MatrixMap dP = ds_.matrix(d.tq, d.tv);
      dP.noalias() = dO * V.transpose();
      if (m)
        for (Index i = 0; i < d.tq * d.tv; ++i) ds_[i] *= m[i];
      if (dScores)
        for (Index i = 0; i < d.tq * d.tv; ++i) ds_[i] += (*dScores)[off + i];
      attention::softmaxRowsBackward(p, ds_.data(), ds_.data(), d.tq, d.tv);
      StridedMap dQ(dq_.data() + b * d.tq * hk + h * K, d.tq, K, Eigen::OuterStride<>(hk));
      StridedMap dK(dk_.data() + b * d.tv * hk + h * K, d.tv, K, Eigen::OuterStride<>(hk));
      dQ.noalias() = (dP * Kh) * scale;
      dK.noalias() = (dP.transpose() * Q) * scale;
    }
  auto want = [&](size_t i) { return dx.size() > i && dx[i]; };
  if (want(0)) dx[0]->resize(query.shape());
  projectBackward(query.data(), d.n * d.tq, d.dq, qk_, hk, dq_, want(0) ? dx[0]->data() : nullptr);
  // Value (and key, which is the value when there are two inputs).
  const bool needV = want(1);
  if (needV) dx[1]->resize(value.shape());
  projectBackward(value.data(), d.n * d.tv, d.dv, vk_, hv, dv_, needV ? dx[1]->data() : nullptr);
  if (ownKey) {
    if (want(2)) dx[2]->resize(key.shape());
    projectBackward(key.data(), d.n * d.tv, d.dk, kk_, hk, dk_, want(2) ? dx[2]->data() : nullptr);
  } else {
    dkx_.resize(value.shape());
    projectBackward(key.data(), d.n * d.tv, d.dk, kk_, hk, dk_, needV ? dkx_.data() : nullptr);
    if (needV) dx[1]->array() += dkx_.array();
  }
}

double MultiHeadAttention::regularization(bool addGrads) {
  double p = 0.0;
  for (Variable& v : vars_) {
    const bool isKernel = v.name.size() > 6 && v.name.compare(v.name.size() - 6, 6, "kernel") == 0;
    const Regularizer& r = isKernel ? kernelReg_ : biasReg_;
    if (!r.active) continue;
    p += r.penalty(v.value.data(), v.value.size());
    if (addGrads && v.trainable) r.addGradient(v.value.data(), v.grad.data(), v.value.size());
  }
  return p;
}

}  // namespace tessel
