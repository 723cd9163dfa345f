#include "engine/layers/Dense.h"

#include "engine/core/Error.h"

namespace tessel {

namespace {
using RowVecMap = Eigen::Map<Eigen::RowVectorXf, Eigen::AlignedMax>;
using ConstRowVecMap = Eigen::Map<const Eigen::RowVectorXf, Eigen::AlignedMax>;
}  // namespace

Dense::Dense(const json& config) : Layer("Dense", config) {
  try {
    units_ = config_.at("units").get<Index>();
    const json& act = config_.at("activation");
    activation_ = act.is_null() ? ActivationFn::Linear : activationFromName(act.get<std::string>());
    useBias_ = config_.at("use_bias").get<bool>();
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
  if (units_ < 1) throwBadValue("config 'units' must be positive");
}

Shape Dense::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.size() < 2)
    throwShapeMismatch("Dense needs an input of rank >= 2 (batch, ..., features), got " +
                       shapeToString(in));
  if (in.back() == kNone)
    throwShapeMismatch("Dense needs a known last dimension, got " + shapeToString(in));
  if (inputDim_ >= 0 && in.back() != inputDim_)
    throwShapeMismatch("input " + shapeToString(in) + " does not fit kernel " +
                       shapeToString({inputDim_, units_}) + ": expected last dimension " +
                       std::to_string(inputDim_));
  Shape out = in;
  out.back() = units_;
  return out;
}

void Dense::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  inputDim_ = inputs[0].back();
  // Keras order: kernel, then bias.
  Variable& kernel = addVariable("kernel", {inputDim_, units_});
  kernelInit_.fill(kernel.value, rng);
  if (useBias_) {
    Variable& bias = addVariable("bias", {units_});
    biasInit_.fill(bias.value, rng);
  }
  built_ = true;
}

// ---- forward ----------------------------------------------------------------------------------
// x is (N, ..., in) viewed as X (rows, in); kernel W (in, units); bias b (units);
// Z = X W + b  (rows, units); y = f(Z) (N, ..., units).
void Dense::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  if (!built_) throw Error("Dense '" + name_ + "': forward before build");
  if (x.rank() < 2 || x.dim(-1) != inputDim_)
    throw Error("Dense '" + name_ + "': input " + shapeToString(x.shape()) +
                " does not fit kernel " + shapeToString({inputDim_, units_}));
  const Index rows = x.size() / inputDim_;
  Shape& outShape = outShape_;  // member scratch: no allocation per step
  outShape = x.shape();
  outShape.back() = units_;
  y.resize(outShape);
  const bool linear = activation_ == ActivationFn::Linear;
  Tensor& zt = linear ? y : z_;
  if (!linear) z_.resize(outShape);

  ConstMatrixMap X(x.data(), rows, inputDim_);
  ConstMatrixMap W(vars_[0].value.data(), inputDim_, units_);
  MatrixMap Z(zt.data(), rows, units_);
  if (useBias_) {
    // Z starts as the bias broadcast over rows; the GEMM then accumulates into it (no extra pass).
    Z.rowwise() = ConstRowVecMap(vars_[1].value.data(), units_);
    Z.noalias() += X * W;
  } else {
    Z.noalias() = X * W;
  }
  if (!linear) activationForward(activation_, z_.data(), y.data(), rows, units_);
  if (activityReg_.active)  // Keras 2: activity penalty divided by the batch size
    ctx.addedLoss += activityReg_.penalty(y.data(), y.size()) / double(x.dim(0));
}

// ---- backward ---------------------------------------------------------------------------------
// dy is (N, ..., units) as DY (rows, units). dZ = (dy + activity grad) * f'(Z);
// dW = X^T dZ (in, units); db = column sums of dZ (units); dX = dZ W^T (rows, in).
void Dense::backward(const std::vector<const Tensor*>& xs, const Tensor& y, const Tensor& dy,
                     const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& x = *xs[0];
  const Index rows = x.size() / inputDim_;
  const bool linear = activation_ == ActivationFn::Linear;
  const float* dzp = dy.data();
  if (!linear || activityReg_.active) {
    dz_.resize(y.shape());
    const float* src = dy.data();
    if (activityReg_.active) {
      dz_.flat() = dy.flat();
      activityReg_.addGradient(y.data(), dz_.data(), y.size(), 1.0f / float(x.dim(0)));
      src = dz_.data();
    }
    activationBackward(activation_, linear ? y.data() : z_.data(), y.data(), src, dz_.data(), rows,
                       units_);
    dzp = dz_.data();
  }
  ConstMatrixMap X(x.data(), rows, inputDim_);
  ConstMatrixMap dZ(dzp, rows, units_);
  Variable& kernel = vars_[0];
  if (kernel.trainable) {
    MatrixMap dW(kernel.grad.data(), inputDim_, units_);
    dW.noalias() = X.transpose() * dZ;
  }
  if (useBias_ && vars_[1].trainable) {
    RowVecMap db(vars_[1].grad.data(), units_);
    db.setZero();
    for (Index r = 0; r < rows; ++r) db += dZ.row(r);
  }
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(x.shape());
    MatrixMap dX(dx[0]->data(), rows, inputDim_);
    ConstMatrixMap W(kernel.value.data(), inputDim_, units_);
    dX.noalias() = dZ * W.transpose();
  }
}

double Dense::regularization(bool addGrads) {
  double p = 0.0;
  auto one = [&](Variable& v, const Regularizer& r) {
    if (!r.active) return;
    p += r.penalty(v.value.data(), v.value.size());
    if (addGrads && v.trainable) r.addGradient(v.value.data(), v.grad.data(), v.value.size());
  };
  if (!vars_.empty()) one(vars_[0], kernelReg_);
  if (useBias_ && vars_.size() > 1) one(vars_[1], biasReg_);
  return p;
}

}  // namespace tessel
