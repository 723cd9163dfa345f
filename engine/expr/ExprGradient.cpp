#include "engine/expr/ExprGradient.h"

#include <numeric>

namespace tessel {

namespace {

// Builds the derivative nodes of one graph; one method per op family.
class Builder {
 public:
  Builder(ExprGraph& g) : g_(g), grad_(g.size(), -1) {}

  std::vector<ExprId> run(ExprId y, ExprId seed, const std::vector<ExprId>& wrt) {
    const size_t n = size_t(y) + 1;
    std::vector<char> dep(n, 0);
    for (ExprId w : wrt)
      if (size_t(w) < n) dep[size_t(w)] = 1;
    for (size_t i = 0; i < n; ++i)
      for (ExprId j : g_.node(ExprId(i)).inputs)
        if (dep[size_t(j)]) dep[i] = 1;
    dep_ = dep;
    if (!dep[size_t(y)]) return std::vector<ExprId>(wrt.size(), -1);
    grad_[size_t(y)] = seed >= 0 ? seed : add(ExprOp::BroadcastLike, {g_.constant(1.0f), y}, {}, y);
    for (size_t i = n; i-- > 0;) {
      if (!dep[i] || grad_[i] < 0) continue;
      pos_ = g_.node(ExprId(i)).position;
      backprop(ExprId(i), grad_[i]);
    }
    std::vector<ExprId> out;
    for (ExprId w : wrt) out.push_back(size_t(w) < grad_.size() ? grad_[size_t(w)] : -1);
    return out;
  }

 private:
  ExprId add(ExprOp op, std::vector<ExprId> in, ExprAttrs at = {}, ExprId at_node = -1) {
    const int p = at_node >= 0 ? g_.node(at_node).position : pos_;
    const ExprId id = g_.add(op, std::move(in), std::move(at), p);
    if (grad_.size() < g_.size()) grad_.resize(g_.size(), -1);
    return id;
  }
  ExprId c(float v) {
    const ExprId id = g_.constant(v, pos_);
    if (grad_.size() < g_.size()) grad_.resize(g_.size(), -1);
    return id;
  }
  ExprId mul(ExprId a, ExprId b) { return add(ExprOp::Mul, {a, b}); }

  // Accumulates contribution `d` into input x (summed down to x's shape when broadcast).
  void accum(ExprId x, ExprId d, bool sumLike = true) {
    if (d < 0 || size_t(x) >= dep_.size() || !dep_[size_t(x)]) return;
    if (sumLike && g_.shape(d) != g_.shape(x)) d = add(ExprOp::SumLike, {d, x});
    const ExprId old = grad_[size_t(x)];
    const ExprId sum = old < 0 ? d : add(ExprOp::Add, {old, d});
    grad_[size_t(x)] = sum;  // after add(): it may grow grad_
  }
  bool needs(ExprId x) const { return size_t(x) < dep_.size() && dep_[size_t(x)]; }

  void unaryRule(ExprId y, const ExprNode& n, ExprId g);
  void binaryRule(ExprId y, const ExprNode& n, ExprId g);
  void matmulRule(const ExprNode& n, ExprId g);
  void backprop(ExprId y, ExprId g);

  ExprGraph& g_;
  std::vector<ExprId> grad_;
  std::vector<char> dep_;
  int pos_ = -1;
};

void Builder::unaryRule(ExprId y, const ExprNode& n, ExprId g) {
  const ExprId x = n.inputs[0];
  switch (n.op) {
    case ExprOp::Neg:
      return accum(x, add(ExprOp::Neg, {g}));
    case ExprOp::Square:
      return accum(x, mul(g, mul(c(2.0f), x)));
    case ExprOp::Sqrt:
      return accum(x, add(ExprOp::Div, {g, mul(c(2.0f), y)}));
    case ExprOp::Exp:
      return accum(x, mul(g, y));
    case ExprOp::Log:
      return accum(x, add(ExprOp::Div, {g, x}));
    case ExprOp::Softplus:
      return accum(x, mul(g, add(ExprOp::Sigmoid, {x})));
    case ExprOp::Relu:
      return accum(x, mul(g, add(ExprOp::Greater, {x, c(0.0f)})));
    case ExprOp::Sigmoid:
      return accum(x, mul(g, mul(y, add(ExprOp::Sub, {c(1.0f), y}))));
    case ExprOp::Tanh:
      return accum(x, mul(g, add(ExprOp::Sub, {c(1.0f), add(ExprOp::Square, {y})})));
    case ExprOp::Abs:
      return accum(x, mul(g, add(ExprOp::Sign, {x})));
    default:
      return;  // sign, cast to integer: no gradient
  }
}

// Long by design: one rule per broadcasting op.
void Builder::binaryRule(ExprId y, const ExprNode& n, ExprId g) {
  const ExprId a = n.inputs[0], b = n.inputs[1];
  switch (n.op) {
    case ExprOp::Add:
      accum(a, g);
      return accum(b, g);
    case ExprOp::Sub:
      accum(a, g);
      if (needs(b)) accum(b, add(ExprOp::Neg, {g}));
      return;
    case ExprOp::Mul:
      if (needs(a)) accum(a, mul(g, b));
      if (needs(b)) accum(b, mul(g, a));
      return;
    case ExprOp::Div:
      if (needs(a)) accum(a, add(ExprOp::Div, {g, b}));
      if (needs(b))
        accum(b, add(ExprOp::Neg, {add(ExprOp::Div, {mul(g, a), add(ExprOp::Square, {b})})}));
      return;
    case ExprOp::Pow:
      if (needs(a)) accum(a, mul(g, mul(b, add(ExprOp::Pow, {a, add(ExprOp::Sub, {b, c(1.0f)})}))));
      if (needs(b)) {
        // d a^b / db = a^b log(a), taken as 0 where a <= 0 (as TensorFlow.js)
        const ExprId pos = add(ExprOp::Greater, {a, c(0.0f)});
        const ExprId safe = add(ExprOp::Where, {pos, a, c(1.0f)});
        accum(b, mul(g, mul(y, add(ExprOp::Log, {safe}))));
      }
      return;
    case ExprOp::Maximum:
    case ExprOp::Minimum: {
      const bool mx = n.op == ExprOp::Maximum;
      if (needs(a)) accum(a, mul(g, add(mx ? ExprOp::GreaterEqual : ExprOp::LessEqual, {a, b})));
      if (needs(b)) accum(b, mul(g, add(mx ? ExprOp::Less : ExprOp::Greater, {a, b})));
      return;
    }
    default:
      return;  // comparisons: no gradient
  }
}

void Builder::matmulRule(const ExprNode& n, ExprId g) {
  const ExprId a = n.inputs[0], b = n.inputs[1];
  const bool ta = n.attrs.transposeA, tb = n.attrs.transposeB;
  auto mm = [&](ExprId l, ExprId r, bool tl, bool tr) {
    ExprAttrs at;
    at.transposeA = tl;
    at.transposeB = tr;
    return add(ExprOp::MatMul, {l, r}, at);
  };
  // C = op(A) op(B):  dA, dB for each transpose combination.
  if (needs(a))
    accum(a, !ta ? mm(g, b, false, !tb) : (!tb ? mm(b, g, false, true) : mm(b, g, true, true)),
          false);
  if (!needs(b)) return;
  const bool flat = g_.shape(b).size() == 2 && g_.shape(a).size() > 2;
  if (flat)
    return accum(b, tb ? add(ExprOp::MatMulLead, {g, a}) : add(ExprOp::MatMulLead, {a, g}), false);
  if (!ta) return accum(b, !tb ? mm(a, g, true, false) : mm(g, a, true, false), false);
  accum(b, !tb ? mm(a, g, false, false) : mm(g, a, true, true), false);
}

// Long by design: one rule per op, in the order of ExprOp.
void Builder::backprop(ExprId y, ExprId g) {
  const ExprNode n = g_.node(y);  // copy: adding nodes may move the arena
  if (isUnaryElementwise(n.op)) return unaryRule(y, n, g);
  if (isBinaryElementwise(n.op)) return binaryRule(y, n, g);
  const ExprAttrs& at = n.attrs;
  auto in = [&](size_t k) { return n.inputs[k]; };
  switch (n.op) {
    case ExprOp::Input:
    case ExprOp::Constant:
    case ExprOp::OneHot:
    case ExprOp::CountOf:
      return;
    case ExprOp::Where:
      if (needs(in(1))) accum(in(1), add(ExprOp::Where, {in(0), g, c(0.0f)}));
      if (needs(in(2))) accum(in(2), add(ExprOp::Where, {in(0), c(0.0f), g}));
      return;
    case ExprOp::Clip: {
      const ExprId inside = add(ExprOp::Mul, {add(ExprOp::GreaterEqual, {in(0), in(1)}),
                                              add(ExprOp::LessEqual, {in(0), in(2)})});
      return accum(in(0), add(ExprOp::Where, {inside, g, c(0.0f)}));
    }
    case ExprOp::ReduceSum:
    case ExprOp::ReduceMean: {
      ExprAttrs b;
      b.axes = at.axes;
      b.keepdims = at.keepdims;
      ExprId d = add(ExprOp::BroadcastLike, {g, in(0)}, b);
      if (n.op == ExprOp::ReduceMean) {
        ExprAttrs ca;
        ca.axes = at.axes;
        d = add(ExprOp::Div, {d, add(ExprOp::CountOf, {in(0)}, ca)});
      }
      return accum(in(0), d, false);
    }
    case ExprOp::ReduceMax:
    case ExprOp::ReduceMin: {
      ExprAttrs b;
      b.axes = at.axes;
      b.keepdims = at.keepdims;
      const ExprId gb = add(ExprOp::BroadcastLike, {g, in(0)}, b);
      const ExprId yb = add(ExprOp::BroadcastLike, {y, in(0)}, b);
      return accum(in(0), mul(gb, add(ExprOp::Equal, {in(0), yb})), false);
    }
    case ExprOp::MatMul:
      return matmulRule(n, g);
    case ExprOp::MatMulLead:
      // out = A^T B over flattened leading axes: dA = B g^T, dB = A g
      if (needs(in(0))) {
        ExprAttrs t;
        t.transposeB = true;
        accum(in(0), add(ExprOp::MatMul, {in(1), g}, t), false);
      }
      if (needs(in(1))) accum(in(1), add(ExprOp::MatMul, {in(0), g}), false);
      return;
    case ExprOp::Transpose: {
      ExprAttrs t;
      t.perm.assign(at.perm.size(), 0);
      for (size_t k = 0; k < at.perm.size(); ++k) t.perm[size_t(at.perm[k])] = int(k);
      return accum(in(0), add(ExprOp::Transpose, {g}, t), false);
    }
    case ExprOp::Reshape:
    case ExprOp::ReshapeLike:
      return accum(in(0), add(ExprOp::ReshapeLike, {g, in(0)}), false);
    case ExprOp::Concat:
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        if (!needs(in(k))) continue;
        ExprAttrs p;
        p.axis = at.axis;
        p.index = int(k);
        std::vector<ExprId> ins{g};
        ins.insert(ins.end(), n.inputs.begin(), n.inputs.end());
        accum(in(k), add(ExprOp::ConcatPart, ins, p), false);
      }
      return;
    case ExprOp::Slice: {
      ExprAttrs s;
      s.slices = at.slices;
      return accum(in(0), add(ExprOp::SliceGrad, {g, in(0)}, s), false);
    }
    case ExprOp::SliceGrad: {
      ExprAttrs s;
      s.slices = at.slices;
      return accum(in(0), add(ExprOp::Slice, {g}, s), false);
    }
    case ExprOp::BroadcastLike: {
      if (at.axes.empty()) return accum(in(0), add(ExprOp::SumLike, {g, in(0)}), false);
      ExprAttrs r;
      r.axes = at.axes;
      r.keepdims = at.keepdims;
      return accum(in(0), add(ExprOp::ReduceSum, {g}, r), false);
    }
    case ExprOp::SumLike:
      return accum(in(0), add(ExprOp::BroadcastLike, {g, in(0)}), false);
    default:
      break;
  }
  throw ExprError(n.position, std::string("no derivative of ") + exprOpName(n.op));
}

}  // namespace

std::vector<ExprId> exprGradients(ExprGraph& g, ExprId y, ExprId seed,
                                  const std::vector<ExprId>& wrt) {
  return Builder(g).run(y, seed, wrt);
}

}  // namespace tessel
