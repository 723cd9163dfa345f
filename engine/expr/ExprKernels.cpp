// The structural kernels of ExprKernels.h: reductions, matmul, transpose, reshape, concat,
// one_hot, slicing, and the gradient helpers sum_like / count_of.
#include "engine/expr/ExprKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/Error.h"
#include "engine/expr/ExprShapes.h"

namespace tessel::exprkernel {

namespace {

using Arr = Eigen::Map<Eigen::ArrayXf, Eigen::Unaligned>;
using CArr = Eigen::Map<const Eigen::ArrayXf, Eigen::Unaligned>;

// x viewed as (outer, len, inner) reduced over len into out (outer, inner). Rows are added in
// order (as Dense sums its bias gradient).
void reduceAxis(ExprOp op, const float* x, Index outer, Index len, Index inner, float* out) {
  for (Index o = 0; o < outer; ++o) {
    const float* src = x + o * len * inner;
    Arr dst(out + o * inner, inner);
    if (inner == 1) {
      CArr v(src, len);
      if (op == ExprOp::ReduceMax)
        dst(0) = len ? v.maxCoeff() : -std::numeric_limits<float>::infinity();
      else if (op == ExprOp::ReduceMin)
        dst(0) = len ? v.minCoeff() : std::numeric_limits<float>::infinity();
      else
        dst(0) = v.sum();
      continue;
    }
    if (len == 0) {
      dst = op == ExprOp::ReduceMax   ? -std::numeric_limits<float>::infinity()
            : op == ExprOp::ReduceMin ? std::numeric_limits<float>::infinity()
                                      : 0.0f;
      continue;
    }
    dst = CArr(src, inner);
    for (Index r = 1; r < len; ++r) {
      CArr row(src + r * inner, inner);
      if (op == ExprOp::ReduceMax)
        dst = dst.max(row);
      else if (op == ExprOp::ReduceMin)
        dst = dst.min(row);
      else
        dst += row;
    }
  }
}

// Visits every (input offset, output offset) pair of a strided selection: for each axis d the
// positions start[d] + i * step[d], i < count[d], of a tensor with row-major `dims`.
template <class F>
void forEachSelected(const Shape& dims, const std::vector<exprshape::SliceRange>& r, F&& f) {
  const size_t rank = dims.size();
  std::vector<Index> stride(rank, 1);
  for (size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * dims[d];
  Index total = 1;
  for (const auto& x : r) total *= x.count;
  if (total == 0) return;
  std::vector<Index> i(rank, 0);
  Index base = 0;
  for (size_t d = 0; d < rank; ++d) base += r[d].start * stride[d];
  Index off = base;
  for (Index k = 0; k < total; ++k) {
    f(off, k);
    for (size_t d = rank; d-- > 0;) {
      ++i[d];
      off += r[d].step * stride[d];
      if (i[d] < r[d].count) break;
      off -= r[d].step * stride[d] * r[d].count;
      i[d] = 0;
    }
  }
}

std::vector<exprshape::SliceRange> ranges(const Shape& dims, const std::vector<ExprSliceAxis>& s) {
  std::vector<exprshape::SliceRange> r;
  for (size_t d = 0; d < dims.size(); ++d)
    r.push_back(d < s.size() ? exprshape::resolveSlice(s[d], dims[d])
                             : exprshape::SliceRange{0, 1, dims[d]});
  return r;
}

}  // namespace

void reduce(ExprOp op, const Tensor& x, const std::vector<int>& axes, bool keepdims, Tensor& out) {
  const Shape& s = x.shape();
  const Shape outShape = exprshape::reduced(s, axes, keepdims);
  if (axes.empty() || axes.size() == s.size()) {
    CArr v(x.data(), x.size());
    float r;
    if (op == ExprOp::ReduceMax)
      r = x.size() ? v.maxCoeff() : -std::numeric_limits<float>::infinity();
    else if (op == ExprOp::ReduceMin)
      r = x.size() ? v.minCoeff() : std::numeric_limits<float>::infinity();
    else
      r = v.sum();
    if (op == ExprOp::ReduceMean) r = r / float(x.size());
    out.resize(outShape);
    out.fill(r);
    return;
  }
  if (axes.size() == 1) {  // one axis: straight into out (no scratch)
    const int a = axes[0];
    Index outer = 1, inner = 1;
    for (int d = 0; d < a; ++d) outer *= s[size_t(d)];
    for (size_t d = size_t(a) + 1; d < s.size(); ++d) inner *= s[d];
    const Index len = s[size_t(a)];
    out.resize(outShape);
    reduceAxis(op, x.data(), outer, len, inner, out.data());
    if (op == ExprOp::ReduceMean) Arr(out.data(), out.size()) /= float(len);
    return;
  }
  // One axis at a time, last first, through a scratch copy.
  Tensor cur, next;
  cur.copyFrom(x);
  Shape dims = s;
  Index count = 1;
  for (size_t k = axes.size(); k-- > 0;) {
    const int a = axes[k];
    Index outer = 1, inner = 1;
    for (int d = 0; d < a; ++d) outer *= dims[size_t(d)];
    for (size_t d = size_t(a) + 1; d < dims.size(); ++d) inner *= dims[d];
    const Index len = dims[size_t(a)];
    count *= len;
    next.resize({outer * inner});
    reduceAxis(op, cur.data(), outer, len, inner, next.data());
    dims[size_t(a)] = 1;
    std::swap(cur, next);
  }
  out.resize(outShape);
  if (op == ExprOp::ReduceMean)
    Arr(out.data(), out.size()) = CArr(cur.data(), out.size()) / float(count);
  else
    std::copy(cur.data(), cur.data() + out.size(), out.data());
}

// O = op(A) * op(B), op = transpose where asked.
template <class Out, class MA, class MB>
void product(Out& O, const MA& A, const MB& B, bool ta, bool tb) {
  if (!ta && !tb)
    O.noalias() = A * B;
  else if (ta && !tb)
    O.noalias() = A.transpose() * B;
  else if (!ta && tb)
    O.noalias() = A * B.transpose();
  else
    O.noalias() = A.transpose() * B.transpose();
}

void matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, Tensor& out) {
  ExprAttrs at;
  at.transposeA = ta;
  at.transposeB = tb;
  const Shape shape = exprshape::infer(ExprOp::MatMul, at, {&a.shape(), &b.shape()});
  out.resize(shape);
  const Index ar = a.dim(-2), ac = a.dim(-1), br = b.dim(-2), bc = b.dim(-1);
  if (b.rank() == 2 && (!ta || a.rank() == 2)) {
    const Index rows = a.size() / ac;
    ConstMatrixMap A(a.data(), rows, ac), B(b.data(), br, bc);
    MatrixMap O(out.data(), out.dim(-2) * (a.rank() == 2 ? 1 : rows / ar), out.dim(-1));
    product(O, A, B, ta, tb);
    return;
  }
  if (b.rank() == 2) throw Error("matmul: transpose_a of a rank > 2 operand is not supported");
  const Index batches = a.size() / (ar * ac);
  const Index orow = out.dim(-2), ocol = out.dim(-1);
  for (Index k = 0; k < batches; ++k) {
    ConstUnalignedMatrixMap A(a.data() + k * ar * ac, ar, ac), B(b.data() + k * br * bc, br, bc);
    UnalignedMatrixMap O(out.data() + k * orow * ocol, orow, ocol);
    product(O, A, B, ta, tb);
  }
}

void matmulLead(const Tensor& a, const Tensor& b, Tensor& out) {
  const Index m = a.dim(-1), n = b.dim(-1), rows = a.size() / m;
  if (b.size() / n != rows)
    throw Error("matmul: " + shapeToString(a.shape()) + " and " + shapeToString(b.shape()) +
                " differ in their leading dimensions");
  out.resize({m, n});
  ConstMatrixMap A(a.data(), rows, m), B(b.data(), rows, n);
  MatrixMap O(out.data(), m, n);
  O.noalias() = A.transpose() * B;
}

void transpose(const Tensor& x, const std::vector<int>& perm, Tensor& out) {
  const Shape& s = x.shape();
  Shape os;
  for (int p : perm) os.push_back(s[size_t(p)]);
  out.resize(os);
  if (s.size() == 2 && perm[0] == 1) {
    MatrixMap(out.data(), s[1], s[0]) = ConstMatrixMap(x.data(), s[0], s[1]).transpose();
    return;
  }
  // out position -> input offset: walk the input with the permuted strides.
  std::vector<Index> inStride(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) inStride[d - 1] = inStride[d] * s[d];
  const size_t rank = os.size();
  std::vector<Index> i(rank, 0);
  Index off = 0;
  const float* xp = x.data();
  float* o = out.data();
  for (Index k = 0; k < out.size(); ++k) {
    o[k] = xp[off];
    for (size_t d = rank; d-- > 0;) {
      ++i[d];
      off += inStride[size_t(perm[d])];
      if (i[d] < os[d]) break;
      off -= inStride[size_t(perm[d])] * os[d];
      i[d] = 0;
    }
  }
}

void reshape(const Tensor& x, const Shape& target, Tensor& out) {
  const Shape shape = exprshape::infer(ExprOp::Reshape,
                                       [&] {
                                         ExprAttrs a;
                                         a.shape = target;
                                         return a;
                                       }(),
                                       {&x.shape()});
  out.resize(shape);
  std::copy(x.data(), x.data() + x.size(), out.data());
}

void concat(const std::vector<const Tensor*>& xs, int axis, Tensor& out) {
  std::vector<const Shape*> shapes;
  for (const Tensor* t : xs) shapes.push_back(&t->shape());
  ExprAttrs at;
  at.axis = axis;
  out.resize(exprshape::infer(ExprOp::Concat, at, shapes));
  Index outer = 1;
  for (int d = 0; d < axis; ++d) outer *= out.shape()[size_t(d)];
  float* o = out.data();
  for (Index k = 0; k < outer; ++k)
    for (const Tensor* t : xs) {
      const Index chunk = outer ? t->size() / outer : 0;
      o = std::copy(t->data() + k * chunk, t->data() + (k + 1) * chunk, o);
    }
}

void concatPart(const Tensor& g, const std::vector<const Tensor*>& xs, int axis, int part,
                Tensor& out) {
  out.resize(xs[size_t(part)]->shape());
  Index outer = 1;
  for (int d = 0; d < axis; ++d) outer *= g.shape()[size_t(d)];
  const Index total = outer ? g.size() / outer : 0;
  Index before = 0;
  for (int i = 0; i < part; ++i) before += outer ? xs[size_t(i)]->size() / outer : 0;
  const Index chunk = outer ? out.size() / outer : 0;
  for (Index k = 0; k < outer; ++k)
    std::copy(g.data() + k * total + before, g.data() + k * total + before + chunk,
              out.data() + k * chunk);
}

void oneHot(const Tensor& idx, Index depth, float on, float off, Tensor& out) {
  Shape s = idx.shape();
  s.push_back(depth);
  out.resize(s);
  out.fill(off);
  for (Index i = 0; i < idx.size(); ++i) {
    const float v = idx[i];
    if (v >= 0 && v < float(depth)) out[i * depth + Index(v)] = on;
  }
}

void slice(const Tensor& x, const std::vector<ExprSliceAxis>& s, Tensor& out) {
  ExprAttrs at;
  at.slices = s;
  out.resize(exprshape::infer(ExprOp::Slice, at, {&x.shape()}));
  const float* xp = x.data();
  float* o = out.data();
  forEachSelected(x.shape(), ranges(x.shape(), s), [&](Index in, Index k) { o[k] = xp[in]; });
}

void sliceGrad(const Tensor& g, const Shape& ref, const std::vector<ExprSliceAxis>& s,
               Tensor& out) {
  out.resize(ref);
  out.setZero();
  const float* gp = g.data();
  float* o = out.data();
  forEachSelected(ref, ranges(ref, s), [&](Index at, Index k) { o[at] += gp[k]; });
}

void sumLike(const Tensor& t, const Shape& ref, Tensor& out) {
  const Shape& s = t.shape();
  const size_t lead = s.size() - std::min(s.size(), ref.size());
  std::vector<int> axes;
  for (size_t d = 0; d < s.size(); ++d)
    if (d < lead || (ref[d - lead] == 1 && s[d] != 1)) axes.push_back(int(d));
  if (axes.empty()) {
    out.resize(ref);
    std::copy(t.data(), t.data() + t.size(), out.data());
    return;
  }
  reduce(ExprOp::ReduceSum, t, axes, true, out);
  out.resize(ref);
}

Index countOf(const Shape& ref, const std::vector<int>& axes) {
  Index n = 1;
  for (size_t d = 0; d < ref.size(); ++d)
    if (axes.empty() || std::find(axes.begin(), axes.end(), int(d)) != axes.end()) n *= ref[d];
  return n;
}

}  // namespace tessel::exprkernel
