#pragma once
// One node of an expression graph (ExprGraph): an op, its inputs (earlier node ids, so ids are a
// topological order), attributes, the statically inferred shape (kNone where only the running
// graph knows the dimension: the batch) and the character position it was written at.
#include <memory>
#include <vector>

#include "engine/expr/ExprOp.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

using ExprId = int;

// One axis of a subscript x[...]: an index (the axis disappears) or a slice start:stop:step.
struct ExprSliceAxis {
  bool isIndex = false;
  Index start = 0, stop = 0, step = 1;
  bool hasStart = false, hasStop = false;
};

struct ExprAttrs {
  int index = 0;          // Input: variable number; ConcatPart: which input
  std::vector<int> axes;  // reductions, BroadcastLike, CountOf (sorted, non-negative)
  bool keepdims = false;  // reductions, BroadcastLike
  bool transposeA = false, transposeB = false;  // MatMul
  std::vector<int> perm;                        // Transpose
  Shape shape;                                  // Reshape target (-1 for the inferred dimension)
  int axis = 0;                                 // Concat, OneHot (non-negative)
  Index depth = 0;                              // OneHot
  float onValue = 1.0f, offValue = 0.0f;        // OneHot
  std::vector<ExprSliceAxis> slices;            // Slice, SliceGrad: one per leading axis
  std::shared_ptr<const Tensor> constant;       // Constant
};

struct ExprNode {
  ExprOp op = ExprOp::Constant;
  std::vector<ExprId> inputs;
  ExprAttrs attrs;
  Shape shape;        // static shape; kNone where unknown until run time
  int position = -1;  // character position in the source text (-1: generated)
};

}  // namespace tessel
