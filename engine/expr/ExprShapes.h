#pragma once
// Shape rules of the expression ops, shared by static inference (dimensions may be kNone) and by
// the evaluator (every dimension known). They throw Error with a message naming both shapes.
#include <vector>

#include "engine/expr/ExprNode.h"

namespace tessel::exprshape {

// NumPy broadcasting of two shapes; kNone against k gives k (checked again when run).
Shape broadcast(const Shape& a, const Shape& b);
// The output shape of `op` with these attributes for inputs of these shapes.
Shape infer(ExprOp op, const ExprAttrs& attrs, const std::vector<const Shape*>& in);
// A reduction's output shape.
Shape reduced(const Shape& in, const std::vector<int>& axes, bool keepdims);
// Resolved [start, stop) and count of one slice axis against a dimension of size `dim`.
struct SliceRange {
  Index start, step, count;
};
SliceRange resolveSlice(const ExprSliceAxis& s, Index dim);

}  // namespace tessel::exprshape
