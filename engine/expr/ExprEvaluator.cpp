#include "engine/expr/ExprEvaluator.h"

#include "engine/expr/ExprKernels.h"

namespace tessel {

namespace ek = exprkernel;

ExprEvaluator::ExprEvaluator(const ExprGraph& graph)
    : g_(graph),
      bufs_(graph.size()),
      targets_(graph.size(), nullptr),
      vals_(graph.size(), nullptr),
      uses_(graph.size(), 0),
      fused_(graph.size(), 0),
      pinned_(graph.size(), 0) {
  for (size_t i = 0; i < g_.size(); ++i)
    for (ExprId j : g_.node(ExprId(i)).inputs) ++uses_[size_t(j)];
  for (size_t i = 0; i < g_.size(); ++i) {
    const ExprNode& n = g_.node(ExprId(i));
    if (n.op == ExprOp::Constant) vals_[i] = n.attrs.constant.get();
  }
}

void ExprEvaluator::bind(int index, const Tensor* t) {
  if (size_t(index) >= bound_.size()) bound_.resize(size_t(index) + 1, nullptr);
  bound_[size_t(index)] = t;
  for (size_t i = 0; i < g_.size(); ++i) {
    const ExprNode& n = g_.node(ExprId(i));
    if (n.op == ExprOp::Input && n.attrs.index == index && vals_[i] && !targets_[i]) vals_[i] = t;
  }
}

void ExprEvaluator::setTarget(ExprId id, Tensor* t) {
  targets_[size_t(id)] = t;
  pinned_[size_t(id)] = 1;  // an output: never fused away
}

std::vector<ExprId> ExprEvaluator::schedule(const std::vector<ExprId>& outputs,
                                            const std::vector<ExprId>& done) {
  for (ExprId o : outputs) pinned_[size_t(o)] = 1;
  std::vector<char> need(g_.size(), 0), skip(g_.size(), 0);
  for (ExprId d : done) skip[size_t(d)] = 1;
  for (ExprId o : outputs) need[size_t(o)] = 1;
  for (size_t i = g_.size(); i-- > 0;)
    if (need[i] && !skip[i])
      for (ExprId j : g_.node(ExprId(i)).inputs) need[size_t(j)] = 1;
  std::vector<ExprId> order;
  for (size_t i = 0; i < g_.size(); ++i)
    if (need[i] && !skip[i] && g_.node(ExprId(i)).op != ExprOp::Constant)
      order.push_back(ExprId(i));
  return order;
}

void ExprEvaluator::run(const std::vector<ExprId>& schedule) {
  // A unary node whose only consumer is a same-shape Mul in this schedule is fused into it.
  for (ExprId id : schedule) {
    const ExprNode& n = g_.node(id);
    if (n.op != ExprOp::Mul || n.inputs[0] == n.inputs[1]) continue;
    auto fusable = [&](ExprId j) {
      const ExprNode& u = g_.node(j);
      return isUnaryElementwise(u.op) && uses_[size_t(j)] == 1 && u.shape == n.shape &&
             !pinned_[size_t(j)];
    };
    // At most one operand: the other must hold a value.
    if (fusable(n.inputs[1]))
      fused_[size_t(n.inputs[1])] = 1;
    else if (fusable(n.inputs[0]))
      fused_[size_t(n.inputs[0])] = 1;
  }
  for (ExprId id : schedule)
    if (!fused_[size_t(id)]) evalNode(id);
}

const Tensor& ExprEvaluator::value(ExprId id) const {
  const Tensor* t = vals_[size_t(id)];
  if (!t) throw Error("internal: expression node " + std::to_string(id) + " was not evaluated");
  return *t;
}

// Long by design: one dispatch per op, in the order of ExprOp.
void ExprEvaluator::evalNode(ExprId id) {
  const ExprNode& n = g_.node(id);
  Tensor& out = targets_[size_t(id)] ? *targets_[size_t(id)] : bufs_[size_t(id)];
  vals_[size_t(id)] = &out;
  const ExprAttrs& at = n.attrs;
  if (n.op == ExprOp::Input) {
    const int k = at.index;
    if (size_t(k) >= bound_.size() || !bound_[size_t(k)])
      throw Error("expression: variable " + std::to_string(k) + " is not bound");
    const Tensor* t = bound_[size_t(k)];
    const Shape& s = n.shape;
    bool fits = t->rank() == int(s.size());
    for (size_t d = 0; fits && d < s.size(); ++d) fits = s[d] == kNone || s[d] == t->shape()[d];
    if (!fits)
      throw Error("expression: variable " + std::to_string(k) + " has shape " +
                  shapeToString(t->shape()) + ", expected " + shapeToString(s));
    vals_[size_t(id)] = t;
    if (targets_[size_t(id)]) {
      out.copyFrom(*t);
      vals_[size_t(id)] = &out;
    }
    return;
  }
  if (isUnaryElementwise(n.op)) return ek::unary(n.op, in(n, 0), out);
  if (n.op == ExprOp::Mul) {
    for (int k = 0; k < 2; ++k) {
      const ExprId u = n.inputs[size_t(k)];
      if (fused_[size_t(u)]) {
        const Tensor& other = in(n, size_t(1 - k));
        const Tensor& b = *vals_[size_t(g_.node(u).inputs[0])];
        if (other.shape() == b.shape()) return ek::mulUnary(other, g_.node(u).op, b, out);
        fused_[size_t(u)] = 0;  // shapes differ at run time: evaluate it on its own
        evalNode(u);
      }
    }
  }
  if (isBinaryElementwise(n.op)) return ek::binary(n.op, in(n, 0), in(n, 1), out);
  if (isReduction(n.op)) return ek::reduce(n.op, in(n, 0), at.axes, at.keepdims, out);
  switch (n.op) {
    case ExprOp::Where:
      return ek::where(in(n, 0), in(n, 1), in(n, 2), out);
    case ExprOp::Clip:
      return ek::clip(in(n, 0), in(n, 1), in(n, 2), out);
    case ExprOp::MatMul:
      return ek::matmul(in(n, 0), in(n, 1), at.transposeA, at.transposeB, out);
    case ExprOp::MatMulLead:
      return ek::matmulLead(in(n, 0), in(n, 1), out);
    case ExprOp::Transpose:
      return ek::transpose(in(n, 0), at.perm, out);
    case ExprOp::Reshape:
      return ek::reshape(in(n, 0), at.shape, out);
    case ExprOp::ReshapeLike:
      return ek::reshape(in(n, 0), in(n, 1).shape(), out);
    case ExprOp::Concat:
    case ExprOp::ConcatPart: {
      std::vector<const Tensor*> xs;
      for (size_t k = n.op == ExprOp::Concat ? 0 : 1; k < n.inputs.size(); ++k)
        xs.push_back(&in(n, k));
      if (n.op == ExprOp::Concat) return ek::concat(xs, at.axis, out);
      return ek::concatPart(in(n, 0), xs, at.axis, at.index, out);
    }
    case ExprOp::OneHot:
      return ek::oneHot(in(n, 0), at.depth, at.onValue, at.offValue, out);
    case ExprOp::Slice:
      return ek::slice(in(n, 0), at.slices, out);
    case ExprOp::SliceGrad:
      return ek::sliceGrad(in(n, 0), in(n, 1).shape(), at.slices, out);
    case ExprOp::BroadcastLike:
      return ek::broadcastLike(in(n, 0), in(n, 1).shape(), at.axes, at.keepdims, out);
    case ExprOp::SumLike:
      return ek::sumLike(in(n, 0), in(n, 1).shape(), out);
    case ExprOp::CountOf:
      out.resize(Shape{});
      out[0] = float(ek::countOf(in(n, 0).shape(), at.axes));
      return;
    default:
      break;
  }
  throw Error(std::string("internal: no kernel for ") + exprOpName(n.op));
}

}  // namespace tessel
