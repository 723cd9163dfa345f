#include "engine/layers/Bidirectional.h"

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

namespace {

std::string snakeName(const std::string& cls) {
  if (cls == "SimpleRNN") return "simple_rnn";
  if (cls == "LSTM") return "lstm";
  if (cls == "GRU") return "gru";
  return cls;
}

// Copies `from` in reverse order along the time axis (axis 1) of an (N, T, U) tensor.
void reverseTime(const Tensor& from, Tensor& to) {
  to.resize(from.shape());
  const Index n = from.dim(0), T = from.dim(1), u = from.dim(2);
  for (Index b = 0; b < n; ++b)
    for (Index t = 0; t < T; ++t)
      std::copy(from.data() + (b * T + t) * u, from.data() + (b * T + t + 1) * u,
                to.data() + (b * T + (T - 1 - t)) * u);
}

}  // namespace

Bidirectional::Bidirectional(const json& config) : Layer("Bidirectional", config) {
  const json& inner = config_.at("layer");
  if (!inner.is_object() || !inner.contains("class_name") || !inner["class_name"].is_string())
    throwBadValue(
        "config 'layer' must be {\"class_name\": \"LSTM\" | \"GRU\" | \"SimpleRNN\", "
        "\"config\": {...}}");
  const std::string cls = inner["class_name"];
  if (cls != "LSTM" && cls != "GRU" && cls != "SimpleRNN")
    throwBadValue("Bidirectional wraps LSTM, GRU or SimpleRNN, not " + cls);
  const json& mm = config_.at("merge_mode");
  merge_ = mm.is_null() ? std::string() : mm.get<std::string>();
  if (config_.contains("backward_layer") && !config_["backward_layer"].is_null())
    throwBadValue("backward_layer is not supported: the backward layer is a copy of 'layer'");
  json cfg = inner.contains("config") ? inner["config"] : json::object();
  if (!cfg.is_object()) throwBadValue("config 'layer.config' must be an object");
  const std::string base = cfg.contains("name") && cfg["name"].is_string()
                               ? cfg["name"].get<std::string>()
                               : snakeName(cls);
  auto make = [&](bool backwards) {
    json c = cfg;
    c["name"] = (backwards ? "backward_" : "forward_") + base;
    c["go_backwards"] = backwards != c.value("go_backwards", false);
    std::unique_ptr<Layer> l;
    try {
      l = LayerRegistry::instance().create(cls, c, name_);
    } catch (const SpecError& e) {
      throwBadValue("wrapped " + cls + ": " + e.detail());
    }
    auto* r = dynamic_cast<RecurrentLayer*>(l.get());
    if (!r) throwBadValue("Bidirectional needs a recurrent layer");
    l.release();
    return std::unique_ptr<RecurrentLayer>(r);
  };
  fwd_ = make(false);
  bwd_ = make(true);
  returnSequences_ = fwd_->returnSequences();
  returnState_ = fwd_->returnState();
  states_ = returnState_ ? fwd_->stateCount() : 0;
  for (int k = 0; k < states_; ++k) {
    fwdStates_.push_back(&stateBuf_[k]);
    bwdStates_.push_back(&stateBuf_[2 + k]);
  }
  fwd_->setZeroOutputForMask(returnSequences_);
  bwd_->setZeroOutputForMask(returnSequences_);
}

std::vector<std::string> Bidirectional::outputNames() const {
  std::vector<std::string> out;
  if (merge_.empty())
    out = {"forward", "backward"};
  else
    out = {"output"};
  for (const char* dir : {"forward_", "backward_"})
    for (int k = 0; k < states_; ++k) out.push_back(std::string(dir) + (k == 0 ? "h" : "c"));
  return out;
}

std::vector<Shape> Bidirectional::outputShapes(const std::vector<Shape>& inputs) const {
  std::vector<Shape> out{outputShape(inputs)};
  if (merge_.empty()) out.push_back(out[0]);
  for (int k = 0; k < 2 * states_; ++k) out.push_back({inputs[0][0], fwd_->units()});
  return out;
}

MaskOut Bidirectional::maskOutOf(size_t k, const std::vector<bool>& inputMasked) const {
  return k < firstState() ? maskOut(inputMasked) : MaskOut::None;
}

Shape Bidirectional::outputShape(const std::vector<Shape>& inputs) const {
  const int s = fwd_->stateCount();
  checkInputCount(inputs, 1, 1 + 2 * s);
  if (inputs.size() != 1 && inputs.size() != size_t(1 + 2 * s))
    throwShapeMismatch("Bidirectional(" + fwd_->className() +
                       ") takes the sequence alone or with " + std::to_string(2 * s) +
                       " initial states (forward then backward), got " +
                       std::to_string(inputs.size()) + " inputs");
  Shape out;
  try {
    out = fwd_->outputShape(directionInputs(inputs, false));
    bwd_->outputShape(directionInputs(inputs, true));
  } catch (const SpecError& e) {
    throwShapeMismatch(e.detail());
  }
  if (merge_ == "concat") out.back() *= 2;
  return out;
}

MaskOut Bidirectional::maskOut(const std::vector<bool>& inputMasked) const {
  return returnSequences_ && !inputMasked.empty() && inputMasked[0] ? MaskOut::PassFirst
                                                                    : MaskOut::None;
}

void Bidirectional::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  vars_.clear();
  fwd_->build(directionInputs(inputs, false), rng);
  bwd_->build(directionInputs(inputs, true), rng);
  for (RecurrentLayer* l : {fwd_.get(), bwd_.get()})
    for (Variable& v : l->variables()) {
      Variable mine;
      mine.name = l->name() + "/" + v.name;
      mine.trainable = v.trainable && trainable();
      mine.value = std::move(v.value);
      if (mine.trainable) {
        mine.grad.resize(mine.value.shape());
        mine.grad.setZero();
      }
      v.trainable = mine.trainable;
      v.grad = Tensor();
      v.value = Tensor();
      vars_.push_back(std::move(mine));
    }
  built_ = true;
}

template <class T>
std::vector<T> Bidirectional::directionInputs(const std::vector<T>& all, bool backwardHalf) const {
  if (all.size() <= 1) return all;
  const size_t s = size_t(fwd_->stateCount()), first = backwardHalf ? 1 + s : 1;
  std::vector<T> out{all[0]};
  for (size_t k = 0; k < s && first + k < all.size(); ++k) out.push_back(all[first + k]);
  return out;
}

void Bidirectional::swapVariables() {
  size_t k = 0;
  for (RecurrentLayer* l : {fwd_.get(), bwd_.get()})
    for (Variable& v : l->variables()) {
      std::swap(v.value, vars_[k].value);
      std::swap(v.grad, vars_[k].grad);
      ++k;
    }
}

void Bidirectional::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  // The inner layers write their states into our buffers, not into this node's outputs.
  const std::vector<Tensor*>* outer = ctx.extraOutputs;
  swapVariables();
  try {
    ctx.extraOutputs = returnState_ ? &fwdStates_ : nullptr;
    fwd_->forward(directionInputs(x, false), yf_, ctx);
    ctx.extraOutputs = returnState_ ? &bwdStates_ : nullptr;
    bwd_->forward(directionInputs(x, true), yb_, ctx);
  } catch (...) {
    ctx.extraOutputs = outer;
    swapVariables();
    throw;
  }
  ctx.extraOutputs = outer;
  swapVariables();
  const Tensor* b = &yb_;  // the backward output in time order
  if (returnSequences_) {
    reverseTime(yb_, ybTime_);
    b = &ybTime_;
  }
  for (int k = 0; k < 2 * states_; ++k)
    if (Tensor* out = ctx.extraOutput(firstState() + size_t(k)))  // h_f, (c_f,) h_b, (c_b)
      out->copyFrom(stateBuf_[k < states_ ? k : 2 + k - states_]);
  if (merge_.empty()) {  // two outputs: forward, backward (time order)
    y.copyFrom(yf_);
    if (Tensor* out = ctx.extraOutput(1)) out->copyFrom(*b);
    return;
  }
  const Index u = yf_.dim(-1), rows = yf_.size() / u;
  Shape s = yf_.shape();
  if (merge_ == "concat") s.back() = 2 * u;
  y.resize(s);
  for (Index r = 0; r < rows; ++r)
    for (Index j = 0; j < u; ++j) {
      const float f = yf_[r * u + j], g = (*b)[r * u + j];
      if (merge_ == "concat") {
        y[r * 2 * u + j] = f;
        y[r * 2 * u + u + j] = g;
      } else if (merge_ == "sum") {
        y[r * u + j] = f + g;
      } else if (merge_ == "mul") {
        y[r * u + j] = f * g;
      } else {
        y[r * u + j] = (f + g) * 0.5f;
      }
    }
}

void Bidirectional::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                             const std::vector<Tensor*>& dx, RunContext& ctx) {
  const Index u = yf_.dim(-1), rows = yf_.size() / u;
  const Tensor& yb = returnSequences_ ? ybTime_ : yb_;
  dyf_.resize(yf_.shape());
  dxf_.resize(yf_.shape());  // scratch for the time-ordered dL/dyb
  if (merge_.empty()) {
    dyf_.copyFrom(dy);
    if (const Tensor* g = ctx.extraOutputGrad(1))
      dxf_.copyFrom(*g);
    else
      dxf_.setZero();
  }
  for (Index r = 0; r < rows && !merge_.empty(); ++r)
    for (Index j = 0; j < u; ++j) {
      const float f = yf_[r * u + j], g = yb[r * u + j];
      float df, dg;
      if (merge_ == "concat") {
        df = dy[r * 2 * u + j];
        dg = dy[r * 2 * u + u + j];
      } else if (merge_ == "sum") {
        df = dg = dy[r * u + j];
      } else if (merge_ == "mul") {
        df = dy[r * u + j] * g;
        dg = dy[r * u + j] * f;
      } else {
        df = dg = dy[r * u + j] * 0.5f;
      }
      dyf_[r * u + j] = df;
      dxf_[r * u + j] = dg;
    }
  if (returnSequences_)
    reverseTime(dxf_, dyb_);
  else
    dyb_.copyFrom(dxf_);
  const bool wantDx = !dx.empty() && dx[0];
  std::vector<Tensor*> dxs{wantDx ? &dxf_ : nullptr};
  std::vector<Tensor*> dxs2{wantDx ? &dxb_ : nullptr};
  // Initial states: the first half of the extra inputs is the forward layer's, the rest the
  // backward layer's (Keras splits initial_state so).
  const size_t s = size_t(fwd_->stateCount());
  if (x.size() > 1)
    for (size_t k = 0; k < s; ++k) {
      dxs.push_back(dx.size() > 1 + k ? dx[1 + k] : nullptr);
      dxs2.push_back(dx.size() > 1 + s + k ? dx[1 + s + k] : nullptr);
    }
  // The states' gradients go to the inner layers that made them.
  const std::vector<const Tensor*>* outer = ctx.extraOutputGrads;
  fwdStateGrads_.assign(size_t(states_), nullptr);
  bwdStateGrads_.assign(size_t(states_), nullptr);
  for (int k = 0; k < states_; ++k) {
    fwdStateGrads_[size_t(k)] = ctx.extraOutputGrad(firstState() + size_t(k));
    bwdStateGrads_[size_t(k)] = ctx.extraOutputGrad(firstState() + size_t(states_ + k));
  }
  swapVariables();
  try {
    ctx.extraOutputGrads = returnState_ ? &fwdStateGrads_ : nullptr;
    fwd_->backward(directionInputs(x, false), yf_, dyf_, dxs, ctx);
    ctx.extraOutputGrads = returnState_ ? &bwdStateGrads_ : nullptr;
    bwd_->backward(directionInputs(x, true), yb_, dyb_, dxs2,
                   ctx);  // yb_: its own output, in processing order
  } catch (...) {
    ctx.extraOutputGrads = outer;
    swapVariables();
    throw;
  }
  ctx.extraOutputGrads = outer;
  swapVariables();
  if (wantDx) {
    dx[0]->resize(x[0]->shape());
    dx[0]->array() = dxf_.array() + dxb_.array();
  }
}

double Bidirectional::regularization(bool addGrads) {
  swapVariables();
  double p = fwd_->regularization(addGrads) + bwd_->regularization(addGrads);
  swapVariables();
  return p;
}

}  // namespace tessel
