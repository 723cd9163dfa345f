#include "engine/expr/ExprShapes.h"

#include <algorithm>
#include <string>

#include "engine/core/Error.h"

namespace tessel::exprshape {

namespace {

[[noreturn]] void fail(const std::string& m) {
  throw Error(m);
}

Shape matmulShape(const ExprAttrs& at, const Shape& a0, const Shape& b0) {
  if (a0.size() < 2 || b0.size() < 2)
    fail("matmul needs operands of rank >= 2, got " + shapeToString(a0) + " and " +
         shapeToString(b0));
  Shape a = a0, b = b0;
  if (at.transposeA) std::swap(a[a.size() - 1], a[a.size() - 2]);
  if (at.transposeB) std::swap(b[b.size() - 1], b[b.size() - 2]);
  const Index k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != kNone && k2 != kNone && k1 != k2)
    fail("matmul: inner dimensions differ: " + shapeToString(a0) + " @ " + shapeToString(b0));
  // A rank-2 operand's axis 0 of size kNone is the batch: contracting it against a fixed size
  // works only for batches of exactly that size (x @ x on (None, 3)), so it is a mismatch.
  const bool batchA = a0.size() == 2 && at.transposeA && a0[0] == kNone;
  const bool batchB = b0.size() == 2 && !at.transposeB && b0[0] == kNone;
  if ((batchA && k2 != kNone) || (batchB && k1 != kNone))
    fail("matmul: inner dimensions differ: " + shapeToString(a0) + " @ " + shapeToString(b0) +
         " (the batch dimension against " + std::to_string(batchA ? k2 : k1) + ")");
  Shape out;
  if (b.size() == 2) {
    out.assign(a.begin(), a.end() - 1);
  } else if (a.size() == b.size()) {
    for (size_t i = 0; i + 2 < a.size(); ++i) {
      if (a[i] != kNone && b[i] != kNone && a[i] != b[i])
        fail("matmul: batch dimensions differ: " + shapeToString(a0) + " @ " + shapeToString(b0));
      out.push_back(a[i] != kNone ? a[i] : b[i]);
    }
    out.push_back(a[a.size() - 2]);
  } else {
    fail("matmul: a right operand of rank > 2 needs a left operand of the same rank, got " +
         shapeToString(a0) + " @ " + shapeToString(b0));
  }
  out.push_back(b.back());
  return out;
}

Shape reshapeShape(const Shape& in, const Shape& target) {
  Index known = 1;
  int infer = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (infer >= 0) fail("reshape: only one dimension may be -1");
      infer = int(i);
    } else if (target[i] < 0) {
      fail("reshape: bad dimension " + std::to_string(target[i]));
    } else {
      known *= target[i];
    }
  }
  const bool inKnown = std::find(in.begin(), in.end(), kNone) == in.end();
  Shape out = target;
  const Index total = shapeProduct(in);
  if (infer >= 0) {
    if (!inKnown) {
      out[size_t(infer)] = kNone;
    } else {
      if (known == 0 || total % known != 0)
        fail("reshape: cannot reshape " + shapeToString(in) + " to " + shapeToString(target));
      out[size_t(infer)] = total / known;
    }
  } else if (inKnown && total != known) {
    fail("reshape: cannot reshape " + shapeToString(in) + " (" + std::to_string(total) +
         " values) to " + shapeToString(target));
  }
  return out;
}

Shape concatShape(int axis, const std::vector<const Shape*>& in) {
  Shape out = *in[0];
  if (axis >= int(out.size())) fail("concat: axis out of range for " + shapeToString(out));
  for (size_t k = 1; k < in.size(); ++k) {
    const Shape& s = *in[k];
    if (s.size() != out.size())
      fail("concat: ranks differ: " + shapeToString(*in[0]) + " and " + shapeToString(s));
    for (size_t d = 0; d < s.size(); ++d) {
      if (int(d) == axis) {
        out[d] = (out[d] == kNone || s[d] == kNone) ? kNone : out[d] + s[d];
      } else if (out[d] != kNone && s[d] != kNone && out[d] != s[d]) {
        fail("concat: shapes " + shapeToString(*in[0]) + " and " + shapeToString(s) +
             " differ outside axis " + std::to_string(axis));
      } else if (out[d] == kNone) {
        out[d] = s[d];
      }
    }
  }
  return out;
}

Shape sliceShape(const std::vector<ExprSliceAxis>& slices, const Shape& in) {
  if (slices.size() > in.size())
    fail("too many indices (" + std::to_string(slices.size()) + ") for a tensor of shape " +
         shapeToString(in));
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (d >= slices.size()) {
      out.push_back(in[d]);
      continue;
    }
    const ExprSliceAxis& s = slices[d];
    if (in[d] == kNone) {
      if (!s.isIndex) out.push_back(kNone);
      continue;
    }
    const SliceRange r = resolveSlice(s, in[d]);
    if (!s.isIndex) out.push_back(r.count);
  }
  return out;
}

}  // namespace

Shape broadcast(const Shape& a, const Shape& b) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const Index da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const Index db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else if (da == kNone)
      out[i] = db;
    else if (db == kNone)
      out[i] = da;
    else
      fail("shapes " + shapeToString(a) + " and " + shapeToString(b) + " do not broadcast");
  }
  return out;
}

Shape reduced(const Shape& in, const std::vector<int>& axes, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    const bool r = axes.empty() || std::find(axes.begin(), axes.end(), int(d)) != axes.end();
    if (!r)
      out.push_back(in[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

SliceRange resolveSlice(const ExprSliceAxis& s, Index dim) {
  if (s.isIndex) {
    Index i = s.start < 0 ? s.start + dim : s.start;
    if (i < 0 || i >= dim)
      fail("index " + std::to_string(s.start) + " is out of range for a dimension of size " +
           std::to_string(dim));
    return {i, 1, 1};
  }
  if (s.step == 0) fail("slice step cannot be zero");
  Index start, stop;
  if (s.step > 0) {
    start = !s.hasStart ? 0 : (s.start < 0 ? std::max<Index>(s.start + dim, 0) : s.start);
    stop = !s.hasStop ? dim : (s.stop < 0 ? std::max<Index>(s.stop + dim, 0) : s.stop);
    start = std::min(start, dim);
    stop = std::min(stop, dim);
    const Index count = stop > start ? (stop - start + s.step - 1) / s.step : 0;
    return {start, s.step, count};
  }
  start = !s.hasStart ? dim - 1 : (s.start < 0 ? std::max<Index>(s.start + dim, -1) : s.start);
  stop = !s.hasStop ? -1 : (s.stop < 0 ? std::max<Index>(s.stop + dim, -1) : s.stop);
  start = std::min(start, dim - 1);
  stop = std::min(stop, dim - 1);
  const Index count = start > stop ? (start - stop - s.step - 1) / -s.step : 0;
  return {start, s.step, count};
}

// Long by design: one rule per op family, in the order of ExprOp.
Shape infer(ExprOp op, const ExprAttrs& at, const std::vector<const Shape*>& in) {
  if (isUnaryElementwise(op)) return *in[0];
  if (isBinaryElementwise(op)) return broadcast(*in[0], *in[1]);
  if (isReduction(op)) return reduced(*in[0], at.axes, at.keepdims);
  switch (op) {
    case ExprOp::Input:
    case ExprOp::Constant:
      fail("internal: leaf shape");
    case ExprOp::Where:
    case ExprOp::Clip:
      return broadcast(broadcast(*in[0], *in[1]), *in[2]);
    case ExprOp::MatMul:
      return matmulShape(at, *in[0], *in[1]);
    case ExprOp::Transpose: {
      const Shape& s = *in[0];
      if (at.perm.size() != s.size())
        fail("transpose: perm has " + std::to_string(at.perm.size()) +
             " entries for a tensor of shape " + shapeToString(s));
      Shape out;
      for (int p : at.perm) out.push_back(s[size_t(p)]);
      return out;
    }
    case ExprOp::Reshape:
      return reshapeShape(*in[0], at.shape);
    case ExprOp::Concat:
      return concatShape(at.axis, in);
    case ExprOp::OneHot: {
      Shape out = *in[0];
      out.push_back(at.depth);
      return out;
    }
    case ExprOp::Slice:
      return sliceShape(at.slices, *in[0]);
    case ExprOp::BroadcastLike:
    case ExprOp::SumLike:
    case ExprOp::ReshapeLike:
    case ExprOp::SliceGrad:
      return *in[1];
    case ExprOp::ConcatPart:
      return *in[size_t(at.index) + 1];
    case ExprOp::CountOf:
      return {};
    case ExprOp::MatMulLead: {
      const Shape& a = *in[0];
      const Shape& b = *in[1];
      if (a.empty() || b.empty()) fail("matmul: empty operand");
      return {a.back(), b.back()};
    }
    default:
      break;
  }
  fail(std::string("internal: no shape rule for ") + exprOpName(op));
}

}  // namespace tessel::exprshape
