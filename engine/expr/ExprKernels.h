#pragma once
// The kernels of the expression ops, each over whole tensors (Eigen array expressions for the
// elementwise ops; Eigen GEMM for matmul). `out` is resized by the kernel. Shapes are concrete.
#include <vector>

#include "engine/expr/ExprNode.h"

namespace tessel::exprkernel {

void unary(ExprOp op, const Tensor& x, Tensor& out);
void binary(ExprOp op, const Tensor& a, const Tensor& b, Tensor& out);
// out = a * f(b) for a unary elementwise op f, a and b of the same shape (a fused node pair).
void mulUnary(const Tensor& a, ExprOp f, const Tensor& b, Tensor& out);
void where(const Tensor& c, const Tensor& a, const Tensor& b, Tensor& out);
void clip(const Tensor& x, const Tensor& lo, const Tensor& hi, Tensor& out);
void reduce(ExprOp op, const Tensor& x, const std::vector<int>& axes, bool keepdims, Tensor& out);
void matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, Tensor& out);
void matmulLead(const Tensor& a, const Tensor& b, Tensor& out);
void transpose(const Tensor& x, const std::vector<int>& perm, Tensor& out);
void reshape(const Tensor& x, const Shape& shape, Tensor& out);
void concat(const std::vector<const Tensor*>& xs, int axis, Tensor& out);
void concatPart(const Tensor& g, const std::vector<const Tensor*>& xs, int axis, int part,
                Tensor& out);
void oneHot(const Tensor& idx, Index depth, float on, float off, Tensor& out);
void slice(const Tensor& x, const std::vector<ExprSliceAxis>& s, Tensor& out);
void sliceGrad(const Tensor& g, const Shape& ref, const std::vector<ExprSliceAxis>& s, Tensor& out);
// g (reduced over `axes`, keepdims as given) broadcast to `ref`.
void broadcastLike(const Tensor& g, const Shape& ref, const std::vector<int>& axes, bool keepdims,
                   Tensor& out);
// t summed over the broadcast axes down to `ref`.
void sumLike(const Tensor& t, const Shape& ref, Tensor& out);
Index countOf(const Shape& ref, const std::vector<int>& axes);

}  // namespace tessel::exprkernel
