// The elementwise kernels of ExprKernels.h: unary, binary (NumPy broadcasting), where and clip.
// Same-shape operands, a scalar operand and a trailing-row operand (a bias) run as one Eigen
// array expression; other broadcasts walk the output with per-operand strides.
#include <cmath>

#include "engine/core/Error.h"
#include "engine/expr/ExprKernels.h"
#include "engine/expr/ExprShapes.h"

namespace tessel::exprkernel {

namespace {

using Arr = Eigen::Map<Eigen::ArrayXf, Eigen::Unaligned>;
using CArr = Eigen::Map<const Eigen::ArrayXf, Eigen::Unaligned>;

// Calls f with the Eigen expression of op applied to x.
template <class X, class F>
void withUnary(ExprOp op, const X& x, F&& f) {
  switch (op) {
    case ExprOp::Neg:
      f(-x);
      break;
    case ExprOp::Square:
      f(x.square());
      break;
    case ExprOp::Sqrt:
      f(x.sqrt());
      break;
    case ExprOp::Exp:
      f(x.exp());
      break;
    case ExprOp::Log:
      f(x.log());
      break;
    // As the softplus activation: max(z, 0) + log1p(exp(-|z|)), stable for large |z|.
    case ExprOp::Softplus:
      f(x.max(0.0f) + (-x.abs()).exp().log1p());
      break;
    case ExprOp::Relu:
      f(x.max(0.0f));
      break;
    case ExprOp::Sigmoid:
      f(x.logistic());
      break;
    case ExprOp::Tanh:
      f(x.tanh());
      break;
    case ExprOp::Abs:
      f(x.abs());
      break;
    case ExprOp::Sign:
      f(x.sign());
      break;
    case ExprOp::Trunc:
      f(x.unaryExpr([](float v) { return std::trunc(v); }));
      break;
    default:
      throw Error(std::string("internal: not a unary op: ") + exprOpName(op));
  }
}

template <class A, class B, class F>
void withBinary(ExprOp op, const A& a, const B& b, F&& f) {
  switch (op) {
    case ExprOp::Add:
      f(a + b);
      break;
    case ExprOp::Sub:
      f(a - b);
      break;
    case ExprOp::Mul:
      f(a * b);
      break;
    case ExprOp::Div:
      f(a / b);
      break;
    case ExprOp::Pow:
      f(a.binaryExpr(b, [](float x, float y) { return std::pow(x, y); }));
      break;
    case ExprOp::Maximum:
      f(a.max(b));
      break;
    case ExprOp::Minimum:
      f(a.min(b));
      break;
    case ExprOp::Less:
      f((a < b).template cast<float>());
      break;
    case ExprOp::LessEqual:
      f((a <= b).template cast<float>());
      break;
    case ExprOp::Greater:
      f((a > b).template cast<float>());
      break;
    case ExprOp::GreaterEqual:
      f((a >= b).template cast<float>());
      break;
    case ExprOp::Equal:
      f((a == b).template cast<float>());
      break;
    case ExprOp::NotEqual:
      f((a != b).template cast<float>());
      break;
    default:
      throw Error(std::string("internal: not a binary op: ") + exprOpName(op));
  }
}

float binaryScalar(ExprOp op, float a, float b) {
  float r = 0;
  Eigen::Array<float, 1, 1> x, y;
  x << a;
  y << b;
  withBinary(op, x, y, [&](const auto& e) { r = e.eval()(0); });
  return r;
}

bool isSuffix(const Shape& small, const Shape& big) {
  if (small.size() > big.size()) return false;
  for (size_t i = 0; i < small.size(); ++i)
    if (small[small.size() - 1 - i] != big[big.size() - 1 - i]) return false;
  return true;
}

// Strides of `s` aligned to the trailing axes of `out`, 0 on broadcast axes.
std::vector<Index> broadcastStrides(const Shape& s, const Shape& out) {
  std::vector<Index> st(out.size(), 0);
  Index stride = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t d = s.size() - 1 - i, o = out.size() - 1 - i;
    st[o] = s[d] == 1 ? 0 : stride;
    stride *= s[d];
  }
  return st;
}

// Calls f(outOffset, offsets of each operand) for every position of `out`, in order.
template <class F>
void forEachBroadcast(const Shape& out, const std::vector<const Shape*>& ins, F&& f) {
  const size_t r = out.size();
  std::vector<std::vector<Index>> st;
  for (const Shape* s : ins) st.push_back(broadcastStrides(*s, out));
  std::vector<Index> pos(r, 0), off(ins.size(), 0);
  const Index total = shapeProduct(out);
  for (Index k = 0; k < total; ++k) {
    f(k, off);
    for (size_t d = r; d-- > 0;) {
      ++pos[d];
      for (size_t i = 0; i < ins.size(); ++i) off[i] += st[i][d];
      if (pos[d] < out[d]) break;
      for (size_t i = 0; i < ins.size(); ++i) off[i] -= st[i][d] * out[d];
      pos[d] = 0;
    }
  }
}

}  // namespace

void unary(ExprOp op, const Tensor& x, Tensor& out) {
  out.resize(x.shape());
  Arr o(out.data(), out.size());
  withUnary(op, CArr(x.data(), x.size()), [&](const auto& e) { o = e; });
}

void mulUnary(const Tensor& a, ExprOp f, const Tensor& b, Tensor& out) {
  out.resize(a.shape());
  Arr o(out.data(), out.size());
  CArr av(a.data(), a.size());
  withUnary(f, CArr(b.data(), b.size()), [&](const auto& e) { o = av * e; });
}

// Long by design: the fast paths (same shape, scalar, trailing row) and the general walk.
void binary(ExprOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  const Shape shape = exprshape::broadcast(a.shape(), b.shape());
  out.resize(shape);
  const Index n = out.size();
  Arr o(out.data(), n);
  if (a.size() == n && b.size() == n) {
    withBinary(op, CArr(a.data(), n), CArr(b.data(), n), [&](const auto& e) { o = e; });
  } else if (b.size() == 1 && a.size() == n) {
    withBinary(op, CArr(a.data(), n), Eigen::ArrayXf::Constant(n, b[0]),
               [&](const auto& e) { o = e; });
  } else if (a.size() == 1 && b.size() == n) {
    withBinary(op, Eigen::ArrayXf::Constant(n, a[0]), CArr(b.data(), n),
               [&](const auto& e) { o = e; });
  } else if (a.size() == n && b.size() > 0 && isSuffix(b.shape(), shape)) {
    const Index c = b.size();
    CArr bv(b.data(), c);
    for (Index r = 0; r < n / c; ++r)
      withBinary(op, CArr(a.data() + r * c, c), bv,
                 [&](const auto& e) { Arr(out.data() + r * c, c) = e; });
  } else if (b.size() == n && a.size() > 0 && isSuffix(a.shape(), shape)) {
    const Index c = a.size();
    CArr av(a.data(), c);
    for (Index r = 0; r < n / c; ++r)
      withBinary(op, av, CArr(b.data() + r * c, c),
                 [&](const auto& e) { Arr(out.data() + r * c, c) = e; });
  } else {
    const float* ap = a.data();
    const float* bp = b.data();
    float* op_ = out.data();
    forEachBroadcast(shape, {&a.shape(), &b.shape()}, [&](Index k, const std::vector<Index>& off) {
      op_[k] = binaryScalar(op, ap[off[0]], bp[off[1]]);
    });
  }
}

void where(const Tensor& c, const Tensor& a, const Tensor& b, Tensor& out) {
  const Shape shape = exprshape::broadcast(exprshape::broadcast(c.shape(), a.shape()), b.shape());
  out.resize(shape);
  const Index n = out.size();
  if (c.size() == n && a.size() == n && b.size() == n) {
    Arr(out.data(), n) = (CArr(c.data(), n) != 0.0f).select(CArr(a.data(), n), CArr(b.data(), n));
    return;
  }
  const float *cp = c.data(), *ap = a.data(), *bp = b.data();
  float* o = out.data();
  forEachBroadcast(shape, {&c.shape(), &a.shape(), &b.shape()},
                   [&](Index k, const std::vector<Index>& off) {
                     o[k] = cp[off[0]] != 0.0f ? ap[off[1]] : bp[off[2]];
                   });
}

// tf.clip_by_value: min(max(x, lo), hi).
void clip(const Tensor& x, const Tensor& lo, const Tensor& hi, Tensor& out) {
  const Shape shape = exprshape::broadcast(exprshape::broadcast(x.shape(), lo.shape()), hi.shape());
  out.resize(shape);
  const Index n = out.size();
  if (x.size() == n && lo.size() == 1 && hi.size() == 1) {
    Arr(out.data(), n) = CArr(x.data(), n).max(lo[0]).min(hi[0]);
    return;
  }
  const float *xp = x.data(), *lp = lo.data(), *hp = hi.data();
  float* o = out.data();
  forEachBroadcast(shape, {&x.shape(), &lo.shape(), &hi.shape()},
                   [&](Index k, const std::vector<Index>& off) {
                     o[k] = std::min(std::max(xp[off[0]], lp[off[1]]), hp[off[2]]);
                   });
}

void broadcastLike(const Tensor& g, const Shape& ref, const std::vector<int>& axes, bool keepdims,
                   Tensor& out) {
  Shape gs = g.shape();
  if (!keepdims && !axes.empty()) {
    gs.clear();
    size_t k = 0;
    for (size_t d = 0; d < ref.size(); ++d) {
      const bool r = std::find(axes.begin(), axes.end(), int(d)) != axes.end();
      gs.push_back(r ? 1 : (k < g.shape().size() ? g.shape()[k++] : 1));
    }
  }
  out.resize(ref);
  const Index n = out.size();
  if (g.size() == 1) {
    out.fill(g[0]);
    return;
  }
  if (g.size() == n) {
    std::copy(g.data(), g.data() + n, out.data());
    return;
  }
  const float* gp = g.data();
  float* o = out.data();
  forEachBroadcast(ref, {&gs}, [&](Index k, const std::vector<Index>& off) { o[k] = gp[off[0]]; });
}

}  // namespace tessel::exprkernel
