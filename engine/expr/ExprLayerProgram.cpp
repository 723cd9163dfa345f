#include "engine/expr/ExprLayerProgram.h"

#include "engine/expr/ExprGradient.h"
#include "engine/expr/ExprParser.h"

namespace tessel {

void addExprNamedValues(const nlohmann::json& values, ExprLayerSpec& spec) {
  if (!values.is_object()) return;
  for (auto it = values.begin(); it != values.end(); ++it) {
    const nlohmann::json& v = it.value();
    if (v.is_boolean())
      spec.numbers[it.key()] = v.get<bool>() ? 1.0 : 0.0;
    else if (v.is_number())
      spec.numbers[it.key()] = v.get<double>();
    else if (v.is_string())
      spec.strings[it.key()] = v.get<std::string>();
    else if (v.is_null())
      spec.strings[it.key()] = "linear";
  }
}

ExprLayerProgram::ExprLayerProgram(ExprLayerSpec spec) : spec_(std::move(spec)) {
  ExprScope scope;
  int index = 0;
  std::vector<ExprId> ins;
  for (const Shape& s : spec_.inputs) ins.push_back(graph_.input(index++, s));
  if (ins.size() == 1) {
    scope.tensors["x"] = scope.tensors["inputs"] = ins[0];
  } else {
    scope.lists["x"] = scope.lists["inputs"] = ins;
  }
  scope.positional = {"x"};
  vars_ = ins;
  for (const auto& [name, shape] : spec_.weights) {
    const ExprId id = graph_.input(index++, shape);
    scope.tensors[name] = id;
    vars_.push_back(id);
  }
  scope.numbers = spec_.numbers;
  scope.strings = spec_.strings;
  out_ = parseExpression(graph_, spec_.text, scope);
}

void ExprLayerProgram::ensureBackward() {
  if (seed_ >= 0) return;
  seed_ = graph_.input(int(vars_.size()), graph_.shape(out_));
  grads_ = exprGradients(graph_, out_, seed_, vars_);
  ev_.reset();  // the graph grew
}

void ExprLayerProgram::forward(const std::vector<const Tensor*>& x,
                               const std::vector<const Tensor*>& w, Tensor& y) {
  ensureBackward();  // one graph for both passes: build the derivative before the first run
  if (!ev_) {
    ev_ = std::make_unique<ExprEvaluator>(graph_);
    fwd_ = ev_->schedule({out_});
    std::vector<ExprId> want;
    for (ExprId g : grads_)
      if (g >= 0) want.push_back(g);
    bwd_ = ev_->schedule(want, fwd_);
  }
  for (size_t i = 0; i < x.size(); ++i) ev_->bind(int(i), x[i]);
  for (size_t j = 0; j < w.size(); ++j) ev_->bind(int(x.size() + j), w[j]);
  const ExprOp op = graph_.node(out_).op;
  const bool direct = op != ExprOp::Input && op != ExprOp::Constant;
  ev_->setTarget(out_, direct ? &y : nullptr);
  ev_->run(fwd_);
  if (!direct) y.copyFrom(ev_->value(out_));
}

void ExprLayerProgram::backward(const std::vector<const Tensor*>& x,
                                const std::vector<const Tensor*>& w, const Tensor& y,
                                const Tensor& dy, const std::vector<Tensor*>& dx,
                                const std::vector<Tensor*>& dw) {
  for (size_t i = 0; i < x.size(); ++i) ev_->bind(int(i), x[i]);
  for (size_t j = 0; j < w.size(); ++j) ev_->bind(int(x.size() + j), w[j]);
  ev_->bind(int(vars_.size()), &dy);
  const ExprOp op = graph_.node(out_).op;
  if (op != ExprOp::Input && op != ExprOp::Constant) ev_->setValue(out_, &y);
  // Write each gradient straight into its destination when no other one shares its node.
  std::vector<Tensor*> dest(vars_.size(), nullptr);
  for (size_t k = 0; k < vars_.size(); ++k)
    dest[k] = k < x.size() ? (k < dx.size() ? dx[k] : nullptr) : dw[k - x.size()];
  std::map<ExprId, int> count;
  for (size_t k = 0; k < vars_.size(); ++k)
    if (grads_[k] >= 0 && dest[k]) ++count[grads_[k]];
  std::vector<char> direct(vars_.size(), 0);
  for (size_t k = 0; k < vars_.size(); ++k) {
    const ExprId g = grads_[k];
    if (g < 0 || !dest[k]) continue;
    const ExprOp gop = graph_.node(g).op;
    direct[k] = count[g] == 1 && gop != ExprOp::Input && gop != ExprOp::Constant &&
                std::find(fwd_.begin(), fwd_.end(), g) == fwd_.end();
    ev_->setTarget(g, direct[k] ? dest[k] : nullptr);
  }
  ev_->run(bwd_);
  for (size_t k = 0; k < vars_.size(); ++k) {
    Tensor* d = dest[k];
    if (!d) continue;
    const Tensor& ref = k < x.size() ? *x[k] : *w[k - x.size()];
    if (grads_[k] < 0) {
      d->resize(ref.shape());
      d->setZero();
    } else if (!direct[k]) {
      d->copyFrom(ev_->value(grads_[k]));
    }
  }
}

}  // namespace tessel
