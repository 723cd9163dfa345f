#pragma once
// The operations of an expression graph. Elementwise ops broadcast as NumPy; comparisons give
// 1.0f / 0.0f. The ops after "gradient helpers" appear in derivative graphs built by
// ExprGradient (their inputs' shapes are only known when the graph runs: the batch dimension).
#include <cstdint>

namespace tessel {

enum class ExprOp : std::uint8_t {
  Input,     // a bound variable (attrs.index)
  Constant,  // attrs.constant
  // unary elementwise
  Neg,
  Square,
  Sqrt,
  Exp,
  Log,
  Softplus,
  Relu,
  Sigmoid,
  Tanh,
  Abs,
  Sign,
  Trunc,  // tf.cast to an integer type (rounds toward zero)
  // binary elementwise (broadcasting)
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Equal,
  NotEqual,
  // ternary elementwise (broadcasting)
  Where,  // (condition, a, b)
  Clip,   // (x, lo, hi)
  // reductions over attrs.axes (empty: all), attrs.keepdims
  ReduceSum,
  ReduceMean,
  ReduceMax,
  ReduceMin,
  // structure
  MatMul,     // attrs.transposeA / transposeB on the last two axes
  Transpose,  // attrs.perm
  Reshape,    // attrs.shape (one -1 allowed)
  Concat,     // attrs.axis, any number of inputs
  OneHot,     // (indices) attrs.depth, onValue, offValue
  Slice,      // attrs.slices
  // gradient helpers
  BroadcastLike,  // (g, ref): g (reduced over attrs.axes, keepdims as attrs.keepdims) to ref's
                  // shape
  SumLike,        // (t, ref): t summed down to ref's shape (undoes broadcasting)
  ReshapeLike,    // (t, ref): t reshaped to ref's shape
  SliceGrad,      // (g, ref): zeros of ref's shape with g written where attrs.slices selects
  ConcatPart,     // (g, in0, ..., inK): the part of g that concat input attrs.index came from
  CountOf,        // (ref): the number of elements reduced over attrs.axes, a scalar
  MatMulLead      // (a, b): a^T b with every leading axis of a and b contracted: (K, M)ᵀ(K, N)
};

const char* exprOpName(ExprOp op);
bool isUnaryElementwise(ExprOp op);
bool isBinaryElementwise(ExprOp op);
bool isComparison(ExprOp op);
bool isReduction(ExprOp op);

}  // namespace tessel
