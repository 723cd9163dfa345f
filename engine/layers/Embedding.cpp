#include "engine/layers/Embedding.h"

#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

Embedding::Embedding(const json& config) : Layer("Embedding", config) {
  try {
    inputDim_ = config_.at("input_dim").get<Index>();
    outputDim_ = config_.at("output_dim").get<Index>();
    const json& mz = config_.at("mask_zero");  // TF.js may write null: Keras's false
    maskZero_ = mz.is_boolean() && mz.get<bool>();
    const json& len = config_.at("input_length");
    if (len.is_number_integer()) inputLength_ = len.get<Index>();
    init_ = Initializer::fromJson(config_.at("embeddings_initializer"));
    reg_ = Regularizer::fromJson(config_.at("embeddings_regularizer"));
    activityReg_ = Regularizer::fromJson(config_.at("activity_regularizer"));
  } catch (const SpecError&) {
    throw;
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
  if (inputDim_ < 1)
    throwBadValue("config 'input_dim' must be a positive vocabulary size, got " +
                  std::to_string(inputDim_));
  if (outputDim_ < 1)
    throwBadValue("config 'output_dim' must be positive, got " + std::to_string(outputDim_));
}

Shape Embedding::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.size() < 2)
    throwShapeMismatch("Embedding needs ids of shape (batch, ...), got " + shapeToString(in));
  if (inputLength_ >= 0 && in[1] != kNone && in[1] != inputLength_)
    throwShapeMismatch("input_length is " + std::to_string(inputLength_) + " but the input is " +
                       shapeToString(in));
  Shape out = in;
  out.push_back(outputDim_);
  return out;
}

void Embedding::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  init_.fill(addVariable("embeddings", {inputDim_, outputDim_}).value, rng);
  built_ = true;
}

void Embedding::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  outShape_ = x.shape();
  outShape_.push_back(outputDim_);
  y.resize(outShape_);
  const float* e = vars_[0].value.data();
  for (Index i = 0; i < x.size(); ++i) {
    const float v = x[i];
    const Index id = Index(v);
    if (!(v >= 0) || id >= inputDim_ || float(id) != v)
      throw Error("Embedding '" + name_ + "': id " + std::to_string(v) +
                  " is not an integer in [0, input_dim = " + std::to_string(inputDim_) + ")");
    std::copy(e + id * outputDim_, e + (id + 1) * outputDim_, y.data() + i * outputDim_);
  }
  if (ctx.outputMask) {
    ctx.outputMask->resize(x.shape());
    for (Index i = 0; i < x.size(); ++i) (*ctx.outputMask)[i] = x[i] != 0.0f ? 1.0f : 0.0f;
  }
  if (activityReg_.active)
    ctx.addedLoss += activityReg_.penalty(y.data(), y.size()) / double(x.dim(0));
}

void Embedding::backward(const std::vector<const Tensor*>& xs, const Tensor& y, const Tensor& dyIn,
                         const std::vector<Tensor*>& dx, RunContext&) {
  const Tensor& x = *xs[0];
  const Tensor* dy = &dyIn;
  if (activityReg_.active) {
    dyAct_.copyFrom(dyIn);
    activityReg_.addGradient(y.data(), dyAct_.data(), y.size(), 1.0f / float(x.dim(0)));
    dy = &dyAct_;
  }
  Variable& v = vars_[0];
  if (v.trainable) {
    v.grad.setZero();
    float* g = v.grad.data();
    for (Index i = 0; i < x.size(); ++i) {
      const Index id = Index(x[i]);
      const float* d = dy->data() + i * outputDim_;
      for (Index j = 0; j < outputDim_; ++j) g[id * outputDim_ + j] += d[j];
    }
  }
  if (!dx.empty() && dx[0]) {
    dx[0]->resize(x.shape());
    dx[0]->setZero();
  }
}

double Embedding::regularization(bool addGrads) {
  if (!reg_.active || vars_.empty()) return 0.0;
  Variable& v = vars_[0];
  if (addGrads && v.trainable) reg_.addGradient(v.value.data(), v.grad.data(), v.value.size());
  return reg_.penalty(v.value.data(), v.value.size());
}

}  // namespace tessel
