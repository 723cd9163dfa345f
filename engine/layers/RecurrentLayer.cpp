#include "engine/layers/RecurrentLayer.h"

#include "engine/core/Error.h"

namespace tessel {

namespace {

ActivationFn activationOf(const json& a) {
  return a.is_null() ? ActivationFn::Linear : activationFromName(a.get<std::string>());
}

// C (rows x cols, row-major, leading dimension ldc) += A (rows x depth) * B (depth x cols), A and
// B row- or column-major as the template says, ON THE CALLING THREAD: Eigen's GEBP kernel (the
// same one an Eigen product runs, same sums) without Eigen's OpenMP split, which it applies from
// about 100k multiply-adds. The products of one time step are that small ((N, U) x (U, G*U));
// splitting them costs two thread hand-offs per product, thousands per batch, which is slower
// than one thread on an idle machine and many times slower on a busy one (Eigen's workers
// spin-wait for each other). The big input-side products (every step at once) stay threaded.
template <int AOrder, int BOrder>
void gemmAddSerial(Index rows, Index cols, Index depth, const float* A, Index lda, const float* B,
                   Index ldb, float* C, Index ldc) {
  using namespace Eigen;
  internal::gemm_blocking_space<RowMajor, float, float, Dynamic, Dynamic, Dynamic> blocking(
      rows, cols, depth, 1, true);
  internal::general_matrix_matrix_product<Eigen::Index, float, AOrder, false, float, BOrder, false,
                                          RowMajor, 1>::run(rows, cols, depth, A, lda, B, ldb, C, 1,
                                                            ldc, 1.0f, blocking, nullptr);
}

}  // namespace

RecurrentLayer::RecurrentLayer(std::string className, const json& config, int gates, int states)
    : Layer(std::move(className), config), gates_(gates), states_(states) {
  try {
    units_ = config_.at("units").get<Index>();
    activation_ = activationOf(config_.at("activation"));
    if (config_.contains("recurrent_activation"))
      recurrentActivation_ = activationOf(config_.at("recurrent_activation"));
    useBias_ = config_.at("use_bias").get<bool>();
    kernelInit_ = Initializer::fromJson(config_.at("kernel_initializer"));
    recurrentInit_ = Initializer::fromJson(config_.at("recurrent_initializer"));
    biasInit_ = Initializer::fromJson(config_.at("bias_initializer"));
    kernelReg_ = Regularizer::fromJson(config_.at("kernel_regularizer"));
    recurrentReg_ = Regularizer::fromJson(config_.at("recurrent_regularizer"));
    biasReg_ = Regularizer::fromJson(config_.at("bias_regularizer"));
    activityReg_ = Regularizer::fromJson(config_.at("activity_regularizer"));
    dropout_ = config_.at("dropout").get<double>();
    recurrentDropout_ = config_.at("recurrent_dropout").get<double>();
    returnSequences_ = config_.at("return_sequences").get<bool>();
    goBackwards_ = config_.at("go_backwards").get<bool>();
    zeroOutputForMask_ = config_.value("zero_output_for_mask", false);
  } catch (const SpecError&) {
    throw;
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
  if (units_ < 1) throwBadValue("config 'units' must be positive");
  stateful_ = config_.value("stateful", false);
  returnState_ = config_.value("return_state", false);
  if (config_.value("time_major", false))
    throwBadValue(className_ +
                  " with time_major=true is not supported (inputs are (batch, time, "
                  "features))");
}

Shape RecurrentLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1 + states_);
  if (inputs.size() != 1 && inputs.size() != size_t(1 + states_))
    throwShapeMismatch(className_ + " takes the sequence alone or with " + std::to_string(states_) +
                       " initial state(s), got " + std::to_string(inputs.size()) + " inputs");
  const Shape& in = inputs[0];
  if (in.size() != 3)
    throwShapeMismatch(className_ + " needs a 3-D input (batch, timesteps, features), got " +
                       shapeToString(in) +
                       (in.size() == 2 ? " (a 2-D tensor: add a time axis, e.g. Reshape or "
                                         "Embedding, before the recurrent layer)"
                                       : ""));
  if (in[2] == kNone)
    throwShapeMismatch(className_ + " needs a known feature dimension, got " + shapeToString(in));
  if (inputDim_ >= 0 && in[2] != inputDim_)
    throwShapeMismatch("input " + shapeToString(in) + " does not fit kernel " +
                       shapeToString({inputDim_, gates_ * units_}));
  for (size_t i = 1; i < inputs.size(); ++i)
    if (inputs[i].size() != 2 || inputs[i][1] != units_)
      throwShapeMismatch("initial state " + std::to_string(i) + " must be (batch, " +
                         std::to_string(units_) + "), got " + shapeToString(inputs[i]));
  if (returnSequences_) return {in[0], in[1], units_};
  return {in[0], units_};
}

std::vector<std::string> RecurrentLayer::outputNames() const {
  if (!returnState_) return {"output"};
  if (states_ == 2) return {"output", "h", "c"};
  return {"output", "h"};
}

std::vector<Shape> RecurrentLayer::outputShapes(const std::vector<Shape>& inputs) const {
  std::vector<Shape> out{outputShape(inputs)};
  if (returnState_)
    for (int k = 0; k < states_; ++k) out.push_back({inputs[0][0], units_});
  return out;
}

MaskOut RecurrentLayer::maskOut(const std::vector<bool>& inputMasked) const {
  return returnSequences_ && !inputMasked.empty() && inputMasked[0] ? MaskOut::PassFirst
                                                                    : MaskOut::None;
}

Shape RecurrentLayer::biasShape() const {
  return {gates_ * units_};
}

void RecurrentLayer::initBias(Tensor& bias, Rng& rng) const {
  biasInit_.fill(bias, rng);
}

void RecurrentLayer::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  inputDim_ = inputs[0][2];
  const Index gu = gates_ * units_;
  // Keras order: kernel, recurrent_kernel, bias.
  kernelInit_.fill(addVariable("kernel", {inputDim_, gu}).value, rng);
  recurrentInit_.fill(addVariable("recurrent_kernel", {units_, gu}).value, rng);
  if (useBias_) initBias(addVariable("bias", biasShape()).value, rng);
  built_ = true;
}

void RecurrentLayer::setStatefulBatch(Index n) {
  if (!stateful_) return;
  if (n < 1) throw Error(className_ + " '" + name_ + "': stateful batch size must be positive");
  statefulBatch_ = n;
  for (int k = 0; k < states_; ++k) kept_[k].resize({n, units_});
  resetStates();
}

void RecurrentLayer::resetStates() {
  for (int k = 0; k < states_; ++k) kept_[k].setZero();
}

void RecurrentLayer::setKeptState(int k, const Tensor& value) {
  if (!stateful_) throw Error(className_ + " '" + name_ + "': layer must be stateful");
  if (k < 0 || k >= states_ || value.size() != kept_[k].size() || statefulBatch_ == 0)
    throw Error(className_ + " '" + name_ + "': state " + std::to_string(k) + " of shape " +
                shapeToString(value.shape()) + " does not fit (" + std::to_string(statefulBatch_) +
                ", " + std::to_string(units_) + ")");
  std::copy(value.data(), value.data() + value.size(), kept_[k].data());
}

Tensor& RecurrentLayer::gradOf(int var) {
  Variable& v = vars_[size_t(var)];
  if (v.trainable) return v.grad;
  gradScratch_[var].resize(v.value.shape());
  return gradScratch_[var];
}

void RecurrentLayer::drawDropoutMasks(Index n, RunContext& ctx) {
  inputMasks_ = 0;
  recurrentDropActive_ = false;
  if (!ctx.training || !ctx.rng) return;
  auto draw = [&](Tensor& t, double rate) {
    const float keep = float(1.0 / (1.0 - rate));
    for (Index i = 0; i < t.size(); ++i) t[i] = ctx.rng->uniform() >= rate ? keep : 0.0f;
  };
  if (dropout_ > 0 && dropout_ < 1) {
    inputMasks_ = recurrentDropout_ > 0 ? gates_ : 1;  // Keras implementation 1 / 2
    inMask_.resize({Index(inputMasks_), n, inputDim_});
    draw(inMask_, dropout_);
  }
  if (recurrentDropout_ > 0 && recurrentDropout_ < 1) {
    recurrentDropActive_ = true;
    recMask_.resize({Index(gates_), n, units_});
    draw(recMask_, recurrentDropout_);
  }
}

void RecurrentLayer::activateBlock(ActivationFn fn, const float* z, float* y, Index rows, Index ld,
                                   Index col, Index width) {
  for (Index r = 0; r < rows; ++r)
    activationForward(fn, z + r * ld + col, y + r * ld + col, 1, width);
}

void RecurrentLayer::activateBlockBackward(ActivationFn fn, const float* z, const float* y,
                                           const float* dy, float* dz, Index rows, Index ld,
                                           Index col, Index width) {
  for (Index r = 0; r < rows; ++r)
    activationBackward(fn, z + r * ld + col, y + r * ld + col, dy + r * width, dz + r * width, 1,
                       width);
}

void RecurrentLayer::addRecurrent(const ConstUnalignedMatrixMap& hPrev, Eigen::Ref<MatrixRM> out,
                                  int g0, int count) {
  const Index u = units_;
  ConstUnalignedMatrixMap R(vars_[1].value.data(), u, gates_ * u);
  const Index n = hPrev.rows(), gu = gates_ * u;
  // out.middleCols(g * u, width) += h * R.middleCols(g * u, width)
  auto add = [&](const float* h, int g, Index width) {
    gemmAddSerial<Eigen::RowMajor, Eigen::RowMajor>(n, width, u, h, u, R.data() + g * u, gu,
                                                    out.data() + g * u, out.outerStride());
  };
  if (!recurrentDropActive_) {
    add(hPrev.data(), g0, count * u);
    return;
  }
  hm_.resize({n, u});
  UnalignedMatrixMap hm(hm_.data(), n, u);
  for (int g = g0; g < g0 + count; ++g) {
    ConstUnalignedMatrixMap mask(recMask_.data() + g * n * u, n, u);
    hm = hPrev.cwiseProduct(mask);
    add(hm.data(), g, u);
  }
}

void RecurrentLayer::backRecurrent(const ConstUnalignedMatrixMap& hPrev,
                                   const Eigen::Ref<const MatrixRM>& dOut,
                                   UnalignedMatrixMap dhPrev, int g0, int count) {
  const Index u = units_;
  ConstUnalignedMatrixMap R(vars_[1].value.data(), u, gates_ * u);
  UnalignedMatrixMap dR(gradOf(1).data(), u, gates_ * u);
  const Index n = hPrev.rows(), gu = gates_ * u, ldo = dOut.outerStride();
  // dR.middleCols(g * u, width) += h^T * dOut.middleCols(c, width)   (h (N, U) row-major = h^T
  // column-major)
  auto addDR = [&](const float* h, int g, Index c, Index width) {
    gemmAddSerial<Eigen::ColMajor, Eigen::RowMajor>(u, width, n, h, u, dOut.data() + c, ldo,
                                                    dR.data() + g * u, gu);
  };
  // d (N, U) += dOut.middleCols(c, width) * R.middleCols(g * u, width)^T   (R^T column-major)
  auto addDH = [&](float* d, Index ldd, int g, Index c, Index width) {
    gemmAddSerial<Eigen::RowMajor, Eigen::ColMajor>(n, u, width, dOut.data() + c, ldo,
                                                    R.data() + g * u, gu, d, ldd);
  };
  if (!recurrentDropActive_) {
    addDR(hPrev.data(), g0, 0, count * u);
    addDH(dhPrev.data(), dhPrev.outerStride(), g0, 0, count * u);
    return;
  }
  hm_.resize({n, u});
  UnalignedMatrixMap hm(hm_.data(), n, u);
  for (int g = g0; g < g0 + count; ++g) {
    ConstUnalignedMatrixMap mask(recMask_.data() + g * n * u, n, u);
    hm = hPrev.cwiseProduct(mask);
    addDR(hm.data(), g, (g - g0) * u, u);
    hm.setZero();
    addDH(hm.data(), u, g, (g - g0) * u, u);
    dhPrev += hm.cwiseProduct(mask);
  }
}

// ---- forward ----------------------------------------------------------------------------------
void RecurrentLayer::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  if (!built_) throw Error(className_ + " '" + name_ + "': forward before build");
  const Tensor& x = *xs[0];
  if (x.rank() != 3 || x.dim(2) != inputDim_)
    throw Error(className_ + " '" + name_ + "': input " + shapeToString(x.shape()) +
                " does not fit kernel " + shapeToString({inputDim_, gates_ * units_}));
  const Index n = x.dim(0), T = x.dim(1), f = inputDim_, u = units_, gu = gates_ * units_;
  if (stateful_ && statefulBatch_ == 0)
    throw Error(className_ + " '" + name_ +
                "': a stateful RNN needs a fixed batch size: set the batch size of the model "
                "input (batch_input_shape, e.g. [32, null, " +
                std::to_string(f) + "], or batch_size on the Input)");
  if (stateful_ && n != statefulBatch_)
    throw Error(className_ + " '" + name_ + "': stateful layer expects batches of " +
                std::to_string(statefulBatch_) + " samples (the model input's batch size), got " +
                std::to_string(n));
  batch_ = n;
  steps_ = T;
  drawDropoutMasks(n, ctx);

  // x·W for every step at once (one GEMM per dropout mask), plus the input bias.
  xw_.resize({n * T, gu});
  UnalignedMatrixMap XW(xw_.data(), n * T, gu);
  ConstUnalignedMatrixMap W(vars_[0].value.data(), f, gu);
  if (inputMasks_ == 0) {
    XW.noalias() = ConstUnalignedMatrixMap(x.data(), n * T, f) * W;
  } else {
    xd_.resize({Index(inputMasks_), n * T, f});
    for (int k = 0; k < inputMasks_; ++k) {
      float* d = xd_.data() + k * n * T * f;
      const float* m = inMask_.data() + k * n * f;
      for (Index b = 0; b < n; ++b)
        for (Index t = 0; t < T; ++t)
          for (Index j = 0; j < f; ++j)
            d[(b * T + t) * f + j] = x[(b * T + t) * f + j] * m[b * f + j];
      ConstUnalignedMatrixMap Xd(d, n * T, f);
      if (inputMasks_ == 1)
        XW.noalias() = Xd * W;
      else
        XW.middleCols(k * u, u).noalias() = Xd * W.middleCols(k * u, u);
    }
  }
  if (useBias_)
    XW.rowwise() +=
        Eigen::Map<const Eigen::RowVectorXf>(vars_[2].value.data() + inputBiasOffset(), gu);

  // Step masks in processing order.
  const Tensor* mask = ctx.inputMask(0);
  if (mask && mask->size() != n * T)
    throw Error(className_ + " '" + name_ + "': mask " + shapeToString(mask->shape()) +
                " does not fit input " + shapeToString(x.shape()));
  stepMask_.resize({mask ? T : 0, n});
  if (mask)
    for (Index t = 0; t < T; ++t)
      for (Index b = 0; b < n; ++b)
        stepMask_[t * n + b] = (*mask)[b * T + (goBackwards_ ? T - 1 - t : t)];

  p_.resize({T, n, gu});
  a_.resize({T, n, gu});
  h_.resize({T + 1, n, u});
  if (states_ == 2) c_.resize({T + 1, n, u});
  if (xs.size() > 1) {
    std::copy(xs[1]->data(), xs[1]->data() + n * u, h_.data());
    if (states_ == 2) std::copy(xs[2]->data(), xs[2]->data() + n * u, c_.data());
  } else if (stateful_) {  // the last batch's final states (no gradient flows back into them)
    std::copy(kept_[0].data(), kept_[0].data() + n * u, h_.data());
    if (states_ == 2) std::copy(kept_[1].data(), kept_[1].data() + n * u, c_.data());
  } else {
    std::fill(h_.data(), h_.data() + n * u, 0.0f);
    if (states_ == 2) std::fill(c_.data(), c_.data() + n * u, 0.0f);
  }
  out_.resize({n, u});
  out_.setZero();
  if (returnSequences_)
    y.resize({n, T, u});
  else
    y.resize({n, u});
  cellPrepare(n, T);

  for (Index t = 0; t < T; ++t) {
    const Index ti = goBackwards_ ? T - 1 - t : t;
    UnalignedMatrixMap P(p_.data() + t * n * gu, n, gu);
    UnalignedMatrixMap A(a_.data() + t * n * gu, n, gu);
    for (Index b = 0; b < n; ++b) P.row(b) = XW.row(b * T + ti);
    ConstUnalignedMatrixMap hPrev(h_.data() + t * n * u, n, u);
    UnalignedMatrixMap hNew(h_.data() + (t + 1) * n * u, n, u);
    const float* cPrev = states_ == 2 ? c_.data() + t * n * u : nullptr;
    float* cNew = states_ == 2 ? c_.data() + (t + 1) * n * u : nullptr;
    cellForward(t, P, A, hPrev, cPrev, hNew, cNew);
    if (mask) {
      for (Index b = 0; b < n; ++b) {
        if (stepMask_[t * n + b] != 0.0f) {
          out_.matrix(n, u).row(b) = hNew.row(b);
          continue;
        }
        hNew.row(b) = hPrev.row(b);
        if (cNew) std::copy(cPrev + b * u, cPrev + (b + 1) * u, cNew + b * u);
        if (zeroOutputForMask_) out_.matrix(n, u).row(b).setZero();
      }
    }
    if (returnSequences_) {
      const float* src = mask ? out_.data() : hNew.data();
      for (Index b = 0; b < n; ++b)
        std::copy(src + b * u, src + (b + 1) * u, y.data() + (b * T + t) * u);
    }
  }
  if (!returnSequences_) {
    const float* src = mask ? out_.data() : h_.data() + T * n * u;
    std::copy(src, src + n * u, y.data());
  }
  if (activityReg_.active) ctx.addedLoss += activityReg_.penalty(y.data(), y.size()) / double(n);
  if (stateful_)  // Keras: the states after the last (unmasked) step, for the next batch
    for (int k = 0; k < states_; ++k) {
      const float* src = (k == 0 ? h_ : c_).data() + T * n * u;
      std::copy(src, src + n * u, kept_[k].data());
    }
  // return_state: the final h (and c), masked steps carried over as the loop left them.
  for (int k = 0; returnState_ && k < states_; ++k)
    if (Tensor* st = ctx.extraOutput(size_t(k) + 1)) {
      const float* src = (k == 0 ? h_ : c_).data() + T * n * u;
      st->resize({n, u});
      std::copy(src, src + n * u, st->data());
    }
}

// ---- backward (through time) ------------------------------------------------------------------
void RecurrentLayer::backward(const std::vector<const Tensor*>& xs, const Tensor& y,
                              const Tensor& dyIn, const std::vector<Tensor*>& dx, RunContext& ctx) {
  const Tensor& x = *xs[0];
  const Index n = batch_, T = steps_, f = inputDim_, u = units_, gu = gates_ * units_;
  const Tensor* dyp = &dyIn;
  if (activityReg_.active) {
    dyAct_.copyFrom(dyIn);
    activityReg_.addGradient(y.data(), dyAct_.data(), y.size(), 1.0f / float(n));
    dyp = &dyAct_;
  }
  const Tensor& dy = *dyp;
  const bool masked = stepMask_.size() > 0;

  for (int v = 0; v < int(vars_.size()); ++v) gradOf(v).setZero();
  dh_.resize({n, u});
  dh_.setZero();
  dc_.resize({n, u});
  dc_.setZero();
  dOut_.resize({n, u});
  dOut_.setZero();
  dhPrev_.resize({n, u});
  dcPrev_.resize({n, u});
  dp_.resize({n, gu});
  dxw_.resize({n * T, gu});
  UnalignedMatrixMap dXW(dxw_.data(), n * T, gu);
  if (!returnSequences_) {
    if (masked)
      dOut_.flat() = dy.flat();
    else
      dh_.flat() = dy.flat();
  }
  // return_state: the gradients of the final states start the backward pass.
  for (int k = 0; returnState_ && k < states_; ++k)
    if (const Tensor* g = ctx.extraOutputGrad(size_t(k) + 1)) {
      if (g->size() != n * u)
        throw Error(className_ + " '" + name_ + "': state gradient " + shapeToString(g->shape()) +
                    " does not fit (" + std::to_string(n) + ", " + std::to_string(u) + ")");
      (k == 0 ? dh_ : dc_).flat() += g->flat();
    }
  Tensor& cellDh = cellDh_;  // dL/dhNew, dL/dcNew of the step as the cell sees them
  Tensor& cellDc = cellDc_;
  cellDh.resize({n, u});
  cellDc.resize({n, u});

  for (Index t = T - 1; t >= 0; --t) {
    const Index ti = goBackwards_ ? T - 1 - t : t;
    if (returnSequences_) {
      float* target = masked ? dOut_.data() : dh_.data();
      for (Index b = 0; b < n; ++b)
        for (Index j = 0; j < u; ++j) target[b * u + j] += dy[(b * T + t) * u + j];
    }
    dhPrev_.setZero();
    if (masked) {
      for (Index b = 0; b < n; ++b) {
        const float m = stepMask_[t * n + b];
        for (Index j = 0; j < u; ++j) {
          const Index k = b * u + j;
          cellDh[k] = m * (dh_[k] + dOut_[k]);
          dhPrev_[k] = (1 - m) * dh_[k];
          dOut_[k] = zeroOutputForMask_ ? 0.0f : (1 - m) * dOut_[k];
          if (states_ == 2) cellDc[k] = m * dc_[k];
        }
      }
    } else {
      cellDh.flat() = dh_.flat();
      if (states_ == 2) cellDc.flat() = dc_.flat();
    }
    ConstUnalignedMatrixMap P(p_.data() + t * n * gu, n, gu);
    ConstUnalignedMatrixMap A(a_.data() + t * n * gu, n, gu);
    ConstUnalignedMatrixMap hPrev(h_.data() + t * n * u, n, u);
    const float* cPrev = states_ == 2 ? c_.data() + t * n * u : nullptr;
    UnalignedMatrixMap dP(dp_.data(), n, gu);
    cellBackward(t, P, A, hPrev, cPrev, cellDh.data(), states_ == 2 ? cellDc.data() : nullptr, dP,
                 UnalignedMatrixMap(dhPrev_.data(), n, u), states_ == 2 ? dcPrev_.data() : nullptr);
    if (masked && states_ == 2)
      for (Index b = 0; b < n; ++b) {
        const float m = stepMask_[t * n + b];
        for (Index j = 0; j < u; ++j) dcPrev_[b * u + j] += (1 - m) * dc_[b * u + j];
      }
    for (Index b = 0; b < n; ++b) dXW.row(b * T + ti) = dP.row(b);
    std::swap(dh_, dhPrev_);
    if (states_ == 2) std::swap(dc_, dcPrev_);
  }
  if (dx.size() > 1 && dx[1]) dx[1]->copyFrom(dh_);
  if (dx.size() > 2 && dx[2]) dx[2]->copyFrom(dc_);

  // Input side: dW = Xd^T dXW, input bias = column sums, dX = dXW W^T (times the dropout mask).
  UnalignedMatrixMap dW(gradOf(0).data(), f, gu);
  ConstUnalignedMatrixMap W(vars_[0].value.data(), f, gu);
  if (inputMasks_ == 0) {
    dW.noalias() = ConstUnalignedMatrixMap(x.data(), n * T, f).transpose() * dXW;
  } else {
    for (int k = 0; k < inputMasks_; ++k) {
      ConstUnalignedMatrixMap Xd(xd_.data() + k * n * T * f, n * T, f);
      if (inputMasks_ == 1)
        dW.noalias() = Xd.transpose() * dXW;
      else
        dW.middleCols(k * u, u).noalias() = Xd.transpose() * dXW.middleCols(k * u, u);
    }
  }
  if (useBias_) {
    Eigen::Map<Eigen::RowVectorXf> db(gradOf(2).data() + inputBiasOffset(), gu);
    db += dXW.colwise().sum();
  }
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(x.shape());
    UnalignedMatrixMap dX(dx[0]->data(), n * T, f);
    if (inputMasks_ == 0) {
      dX.noalias() = dXW * W.transpose();
    } else {
      dX.setZero();
      for (int k = 0; k < inputMasks_; ++k) {
        const float* m = inMask_.data() + k * n * f;
        part_.resize({n * T, f});
        UnalignedMatrixMap Part(part_.data(), n * T, f);
        if (inputMasks_ == 1)
          Part.noalias() = dXW * W.transpose();
        else
          Part.noalias() = dXW.middleCols(k * u, u) * W.middleCols(k * u, u).transpose();
        for (Index b = 0; b < n; ++b)
          for (Index t = 0; t < T; ++t)
            for (Index j = 0; j < f; ++j) dX(b * T + t, j) += Part(b * T + t, j) * m[b * f + j];
      }
    }
  }
}

double RecurrentLayer::regularization(bool addGrads) {
  double p = 0.0;
  auto one = [&](Variable& v, const Regularizer& r) {
    if (!r.active) return;
    p += r.penalty(v.value.data(), v.value.size());
    if (addGrads && v.trainable) r.addGradient(v.value.data(), v.grad.data(), v.value.size());
  };
  if (vars_.size() < 2) return 0.0;
  one(vars_[0], kernelReg_);
  one(vars_[1], recurrentReg_);
  if (useBias_) one(vars_[2], biasReg_);
  return p;
}

}  // namespace tessel
