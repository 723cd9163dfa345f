#include "engine/layers/TimeDistributed.h"

#include <algorithm>
#include <utility>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

TimeDistributed::TimeDistributed(const json& config) : Layer("TimeDistributed", config) {
  const json& spec = config_.at("layer");
  if (!spec.is_object() || !spec.contains("class_name") || !spec.at("class_name").is_string())
    throwBadValue("config 'layer' must be a layer config {\"class_name\": ..., \"config\": {...}}");
  const std::string cls = spec.at("class_name").get<std::string>();
  if (cls == "TimeDistributed" || cls == "InputLayer")
    throwBadValue("TimeDistributed cannot wrap " + cls);
  json inner = spec.contains("config") ? spec.at("config") : json::object();
  std::string innerName = name_ + "_" + cls;
  if (inner.is_object() && inner.contains("name") && inner.at("name").is_string())
    innerName = inner.at("name").get<std::string>();
  try {
    const LayerInfo* info = LayerRegistry::instance().find(cls);
    if (info && (info->minInputs != 1 || info->maxInputs != 1))
      throwBadValue("TimeDistributed wraps a layer with one input; " + cls + " takes " +
                    (info->minInputs == 0 ? "none" : "several"));
    inner_ = LayerRegistry::instance().create(cls, inner, innerName);
  } catch (const SpecError& e) {
    if (e.node() == name_) throw;
    throwBadValue("wrapped layer " + cls + ": " + e.detail());
  }
}

Shape TimeDistributed::innerShape(const Shape& in) const {
  if (in.size() < 3)
    throwShapeMismatch("TimeDistributed needs an input of rank >= 3 (batch, time, ...), got " +
                       shapeToString(in));
  Shape s{kNone};
  s.insert(s.end(), in.begin() + 2, in.end());
  return s;
}

Shape TimeDistributed::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape inner = innerShape(inputs[0]);
  Shape out;
  try {
    out = inner_->outputShape({inner});
  } catch (const SpecError& e) {
    throwShapeMismatch("wrapped layer " + inner_->className() + " on each time step " +
                       shapeToString(inner) + ": " + e.detail());
  }
  Shape y{inputs[0][0], inputs[0][1]};
  y.insert(y.end(), out.begin() + 1, out.end());
  return y;
}

void TimeDistributed::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  inner_->build({innerShape(inputs[0])}, rng);
  vars_.clear();
  // The variables move here; the inner layer keeps empty placeholders of the same names.
  for (Variable& v : inner_->variables()) {
    Variable mine;
    mine.name = v.name;
    mine.trainable = v.trainable && trainable();
    mine.value = std::move(v.value);
    mine.grad = std::move(v.grad);
    if (mine.trainable && mine.grad.shape() != mine.value.shape()) {
      mine.grad.resize(mine.value.shape());
      mine.grad.setZero();
    }
    v.value = Tensor();
    v.grad = Tensor();
    vars_.push_back(std::move(mine));
  }
  built_ = true;
}

void TimeDistributed::swapVariables() {
  auto& in = inner_->variables();
  for (size_t i = 0; i < vars_.size() && i < in.size(); ++i) {
    std::swap(vars_[i].value, in[i].value);
    std::swap(vars_[i].grad, in[i].grad);
  }
}

// x (N, T, ...) -> x' (N*T, ...) -> inner -> y' (N*T, ...') -> y (N, T, ...').
void TimeDistributed::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext& ctx) {
  const Tensor& x = *xs[0];
  if (x.rank() < 3)
    throw Error("TimeDistributed '" + name_ + "': input " + shapeToString(x.shape()) +
                " has no time axis");
  Shape folded{x.dim(0) * x.dim(1)};
  folded.insert(folded.end(), x.shape().begin() + 2, x.shape().end());
  xin_.resize(folded);
  std::copy(x.data(), x.data() + x.size(), xin_.data());
  swapVariables();
  try {
    inner_->forward({&xin_}, yin_, ctx);
  } catch (...) {
    swapVariables();
    throw;
  }
  swapVariables();
  Shape out{x.dim(0), x.dim(1)};
  out.insert(out.end(), yin_.shape().begin() + 1, yin_.shape().end());
  y.resize(out);
  std::copy(yin_.data(), yin_.data() + yin_.size(), y.data());
}

void TimeDistributed::backward(const std::vector<const Tensor*>& xs, const Tensor&,
                               const Tensor& dy, const std::vector<Tensor*>& dx, RunContext& ctx) {
  const Tensor& x = *xs[0];
  Shape folded{x.dim(0) * x.dim(1)};
  folded.insert(folded.end(), x.shape().begin() + 2, x.shape().end());
  xin_.resize(folded);  // the forward input again (a reused buffer may have changed since)
  std::copy(x.data(), x.data() + x.size(), xin_.data());
  dyin_.resize(yin_.shape());
  std::copy(dy.data(), dy.data() + dy.size(), dyin_.data());
  const bool wantDx = !dx.empty() && dx[0];
  swapVariables();
  try {
    inner_->backward({&xin_}, yin_, dyin_, {wantDx ? &dxin_ : nullptr}, ctx);
  } catch (...) {
    swapVariables();
    throw;
  }
  swapVariables();
  if (wantDx) {
    dx[0]->resize(x.shape());
    std::copy(dxin_.data(), dxin_.data() + dxin_.size(), dx[0]->data());
  }
}

double TimeDistributed::regularization(bool addGrads) {
  swapVariables();
  const double p = inner_->regularization(addGrads);
  swapVariables();
  return p;
}

}  // namespace tessel
