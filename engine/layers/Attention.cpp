#include "engine/layers/Attention.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/AttentionCore.h"

namespace tessel {

using attention::causalFromConfig;
using attention::drawDropoutMask;
using attention::maskedSoftmaxRows;
using attention::softmaxRowsBackward;

Attention::Attention(const json& config) : Attention("Attention", config, Score::Dot) {}

Attention::Attention(std::string className, const json& config, Score score)
    : Layer(std::move(className), config), score_(score) {
  readConfig();
}

void Attention::readConfig() {
  useScale_ = config_.at("use_scale").get<bool>();
  if (score_ != Score::Additive) {
    const std::string mode = config_.at("score_mode").get<std::string>();
    if (mode == "concat") score_ = Score::Concat;
  }
  dropout_ = config_.at("dropout").get<double>();
  if (dropout_ < 0.0 || dropout_ >= 1.0) throwBadValue("config 'dropout' must be in [0, 1)");
  causal_ = causalFromConfig(config_);
  returnScores_ = config_.value("return_attention_scores", false);
  if (auto it = config_.find("seed"); it != config_.end() && it->is_number_integer())
    ownRng_.emplace(it->get<std::uint64_t>());
}

Shape Attention::outputShape(const std::vector<Shape>& inputs) const {
  if (inputs.size() < 2 || inputs.size() > 3)
    throwShapeMismatch(className_ +
                       " expects a list of 2 or 3 inputs [query, value] or [query, "
                       "value, key], got " +
                       std::to_string(inputs.size()));
  const Shape& q = inputs[0];
  const Shape& v = inputs[1];
  const Shape& k = inputs.size() > 2 ? inputs[2] : inputs[1];
  for (const Shape* s : {&q, &v, &k})
    if (s->size() != 3)
      throwShapeMismatch(className_ + " needs inputs of rank 3 (batch, steps, features); got " +
                         shapeToString(q) + ", " + shapeToString(v) +
                         (inputs.size() > 2 ? ", " + shapeToString(k) : ""));
  if (q[2] != k[2])
    throwShapeMismatch("the last dimension of query " + shapeToString(q) + " and key " +
                       shapeToString(k) + " must be equal");
  if (v[1] != k[1] && v[1] != kNone && k[1] != kNone)
    throwShapeMismatch("value " + shapeToString(v) + " and key " + shapeToString(k) +
                       " must have the same number of steps");
  if (dim_ >= 0 && q[2] != dim_)
    throwShapeMismatch("query " + shapeToString(q) + " does not fit the layer built for " +
                       std::to_string(dim_) + " features");
  return {q[0], q[1], v[2]};
}

std::vector<std::string> Attention::outputNames() const {
  if (returnScores_) return {"output", "scores"};
  return {"output"};
}

std::vector<Shape> Attention::outputShapes(const std::vector<Shape>& inputs) const {
  std::vector<Shape> out{outputShape(inputs)};
  if (returnScores_) out.push_back({inputs[0][0], inputs[0][1], inputs[1][1]});
  return out;
}

void Attention::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  scaleVar_ = concatVar_ = -1;
  dim_ = inputs[0][2];
  if (useScale_) {
    scaleVar_ = int(vars_.size());
    if (score_ == Score::Additive) {  // Keras 2: shape [dim], glorot_uniform
      Variable& s = addVariable("scale", {dim_});
      Initializer::fromJson("glorot_uniform").fill(s.value, rng);
    } else {  // shape (), ones
      addVariable("scale", {}).value.fill(1.0f);
    }
  }
  if (score_ == Score::Concat) {
    concatVar_ = int(vars_.size());
    addVariable("concat_score_weight", {}).value.fill(1.0f);
  }
  built_ = true;
}

float Attention::scaleValue() const {
  return scaleVar_ >= 0 && score_ != Score::Additive ? vars_[size_t(scaleVar_)].value[0] : 1.0f;
}

// S (tq x tv) from q (tq x d), k (tv x d).
void Attention::scores(const float* q, const float* k, Index tq, Index tv, Index d,
                       float* s) const {
  if (score_ == Score::Dot) {
    ConstUnalignedMatrixMap Q(q, tq, d), K(k, tv, d);
    UnalignedMatrixMap S(s, tq, tv);
    S.noalias() = Q * K.transpose();
    if (useScale_) S *= scaleValue();
    return;
  }
  // S_ij = c Σ_d w_d tanh(a (q_id + k_jd))
  const float a = scaleValue();
  const float c = concatVar_ >= 0 ? vars_[size_t(concatVar_)].value[0] : 1.0f;
  const float* w =
      score_ == Score::Additive && scaleVar_ >= 0 ? vars_[size_t(scaleVar_)].value.data() : nullptr;
  for (Index i = 0; i < tq; ++i)
    for (Index j = 0; j < tv; ++j) {
      const float* qi = q + i * d;
      const float* kj = k + j * d;
      float acc = 0.0f;
      for (Index e = 0; e < d; ++e) {
        const float t = std::tanh(a * (qi[e] + kj[e]));
        acc += w ? w[e] * t : t;
      }
      s[i * tv + j] = c * acc;
    }
}

void Attention::scoresBackward(const float* q, const float* k, Index tq, Index tv, Index d,
                               const float* ds, float* dq, float* dk) {
  if (score_ == Score::Dot) {
    const float s = scaleValue();
    ConstUnalignedMatrixMap Q(q, tq, d), K(k, tv, d), dS(ds, tq, tv);
    UnalignedMatrixMap dQ(dq, tq, d), dK(dk, tv, d);
    dQ.noalias() += s * (dS * K);
    dK.noalias() += s * (dS.transpose() * Q);
    if (useScale_ && vars_[size_t(scaleVar_)].trainable) {
      MatrixRM raw = Q * K.transpose();
      vars_[size_t(scaleVar_)].grad[0] += (raw.array() * dS.array()).sum();
    }
    return;
  }
  const float a = scaleValue();
  const float c = concatVar_ >= 0 ? vars_[size_t(concatVar_)].value[0] : 1.0f;
  const bool additiveScale = score_ == Score::Additive && scaleVar_ >= 0;
  const float* w = additiveScale ? vars_[size_t(scaleVar_)].value.data() : nullptr;
  float* dw = additiveScale && vars_[size_t(scaleVar_)].trainable
                  ? vars_[size_t(scaleVar_)].grad.data()
                  : nullptr;
  double da = 0.0, dc = 0.0;
  for (Index i = 0; i < tq; ++i)
    for (Index j = 0; j < tv; ++j) {
      const float g = ds[i * tv + j];
      const float* qi = q + i * d;
      const float* kj = k + j * d;
      float* dqi = dq + i * d;
      float* dkj = dk + j * d;
      for (Index e = 0; e < d; ++e) {
        const float u = qi[e] + kj[e];
        const float t = std::tanh(a * u);
        const float we = w ? w[e] : 1.0f;
        const float dt = g * c * we * (1.0f - t * t);  // dL/d(a u)
        dqi[e] += dt * a;
        dkj[e] += dt * a;
        da += double(dt) * u;
        dc += double(g) * we * t;
        if (dw) dw[e] += g * c * t;
      }
    }
  if (score_ == Score::Concat) {
    if (scaleVar_ >= 0 && vars_[size_t(scaleVar_)].trainable)
      vars_[size_t(scaleVar_)].grad[0] += float(da);
    if (vars_[size_t(concatVar_)].trainable) vars_[size_t(concatVar_)].grad[0] += float(dc);
  }
}

// ---- forward ----------------------------------------------------------------------------------
// For each batch b: S = scores(Q_b, K_b) (Tq, Tv); P = softmax(S) (causal-masked); P' = P ⊙ keep
// in training; Y_b = P' V_b (Tq, dv).
void Attention::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  if (!built_) throw Error(className_ + " '" + name_ + "': forward before build");
  const Tensor& q = *xs[0];
  const Tensor& v = *xs[1];
  const Tensor& k = xs.size() > 2 ? *xs[2] : v;
  const Index n = q.dim(0), tq = q.dim(1), d = q.dim(2), tv = v.dim(1), dv = v.dim(2);
  if (k.dim(2) != d || k.dim(1) != tv || d != dim_)
    throw Error(className_ + " '" + name_ + "': inputs do not fit");
  probs_.resize({n, tq, tv});
  dropped_ = ctx.training && dropout_ > 0.0;
  if (dropped_) {
    Rng& rng = ownRng_ ? *ownRng_ : ctx.rng ? *ctx.rng : fallbackRng_;
    drawDropoutMask(dropMul_, {n, tq, tv}, dropout_, rng);
    dp_.resize({tq, tv});
  }
  // Keras 2: mask = [query_mask, value_mask]; the key's mask is not read.
  const float* qMask = attention::inputMaskOf(ctx, 0, n, tq, *this);
  const float* vMask = attention::inputMaskOf(ctx, 1, n, tv, *this);
  if (qMask) {
    queryMask_.resize({n, tq});
    std::copy(qMask, qMask + n * tq, queryMask_.data());
  } else {
    queryMask_ = Tensor();
  }
  y.resize({n, tq, dv});
  for (Index b = 0; b < n; ++b) {
    float* p = probs_.data() + b * tq * tv;
    scores(q.data() + b * tq * d, k.data() + b * tv * d, tq, tv, d, p);
    maskedSoftmaxRows(p, tq, tv, causal_, vMask ? vMask + b * tv : nullptr);
    const float* pd = p;
    if (dropped_) {
      const float* m = dropMul_.data() + b * tq * tv;
      for (Index i = 0; i < tq * tv; ++i) dp_[i] = p[i] * m[i];
      pd = dp_.data();
    }
    ConstUnalignedMatrixMap P(pd, tq, tv), V(v.data() + b * tv * dv, tv, dv);
    UnalignedMatrixMap Y(y.data() + b * tq * dv, tq, dv);
    Y.noalias() = P * V;
    if (qMask)  // Keras: result *= query_mask[..., None]
      for (Index i = 0; i < tq; ++i)
        if (qMask[b * tq + i] == 0.0f) Y.row(i).setZero();
  }
  if (Tensor* scores = returnScores_ ? ctx.extraOutput(1) : nullptr) scores->copyFrom(probs_);
}

// ---- backward ---------------------------------------------------------------------------------
// dP' = dY Vᵀ, dV = P'ᵀ dY; dP = dP' ⊙ keep; dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ, dK (and the
// scale variables) from dS through the score function. With two inputs the key is the value:
// its gradient is added to the value's. A query mask zeroes dY's padded rows first (y = r ⊙ m).
void Attention::backward(const std::vector<const Tensor*>& xs, const Tensor&, const Tensor& dy,
                         const std::vector<Tensor*>& dx, RunContext& ctx) {
  const Tensor* dScores = returnScores_ ? ctx.extraOutputGrad(1) : nullptr;  // dL/dP directly
  const Tensor& q = *xs[0];
  const Tensor& v = *xs[1];
  const bool ownKey = xs.size() > 2;
  const Tensor& k = ownKey ? *xs[2] : v;
  const Index n = q.dim(0), tq = q.dim(1), d = q.dim(2), tv = v.dim(1), dv = v.dim(2);
  for (Variable& var : vars_)
    if (var.trainable) var.grad.setZero();
  Tensor &dq = dq_, &dk = dk_, &dvv = dv_, &ds = ds_, &pd = dp_;  // reused buffers
  dq.resize(q.shape());
  dk.resize(k.shape());
  dvv.resize(v.shape());
  dq.setZero();  // the score gradients accumulate into dq and dk
  dk.setZero();
  ds.resize({tq, tv});
  pd.resize({tq, tv});
  const Tensor* dyp = &dy;
  if (queryMask_.size() > 0) {
    if (queryMask_.size() != n * tq)
      throw Error(className_ + " '" + name_ + "': backward does not fit the last forward");
    dyMasked_.copyFrom(dy);
    for (Index r = 0; r < n * tq; ++r)
      if (queryMask_[r] == 0.0f) std::fill_n(dyMasked_.data() + r * dv, dv, 0.0f);
    dyp = &dyMasked_;
  }
  for (Index b = 0; b < n; ++b) {
    const float* p = probs_.data() + b * tq * tv;
    const float* m = dropped_ ? dropMul_.data() + b * tq * tv : nullptr;
    for (Index i = 0; i < tq * tv; ++i) pd[i] = m ? p[i] * m[i] : p[i];
    ConstUnalignedMatrixMap dY(dyp->data() + b * tq * dv, tq, dv),
        V(v.data() + b * tv * dv, tv, dv);
    MatrixMap dP = ds.matrix(tq, tv);
    dP.noalias() = dY * V.transpose();
    UnalignedMatrixMap dV(dvv.data() + b * tv * dv, tv, dv);
    dV.noalias() = pd.matrix(tq, tv).transpose() * dY;
    if (m)
      for (Index i = 0; i < tq * tv; ++i) ds[i] *= m[i];
    if (dScores)
      for (Index i = 0; i < tq * tv; ++i) ds[i] += (*dScores)[b * tq * tv + i];
    softmaxRowsBackward(p, ds.data(), ds.data(), tq, tv);
    scoresBackward(q.data() + b * tq * d, k.data() + b * tv * d, tq, tv, d, ds.data(),
                   dq.data() + b * tq * d, dk.data() + b * tv * d);
  }
  if (dx.size() > 0 && dx[0]) dx[0]->copyFrom(dq);
  if (!ownKey) dvv.array() += dk.array();
  if (dx.size() > 1 && dx[1]) dx[1]->copyFrom(dvv);
  if (ownKey && dx.size() > 2 && dx[2]) dx[2]->copyFrom(dk);
}

}  // namespace tessel
