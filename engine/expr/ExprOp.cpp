#include "engine/expr/ExprOp.h"

namespace tessel {

const char* exprOpName(ExprOp op) {
  static const char* const names[] = {
      "input",       "constant",     "negative",   "square",        "sqrt",
      "exp",         "log",          "softplus",   "relu",          "sigmoid",
      "tanh",        "abs",          "sign",       "cast",          "add",
      "subtract",    "multiply",     "divide",     "pow",           "maximum",
      "minimum",     "less",         "less_equal", "greater",       "greater_equal",
      "equal",       "not_equal",    "where",      "clip_by_value", "reduce_sum",
      "reduce_mean", "reduce_max",   "reduce_min", "matmul",        "transpose",
      "reshape",     "concat",       "one_hot",    "slice",         "broadcast_like",
      "sum_like",    "reshape_like", "slice_grad", "concat_part",   "count_of",
      "matmul_lead"};
  return names[static_cast<int>(op)];
}

bool isUnaryElementwise(ExprOp op) {
  return op >= ExprOp::Neg && op <= ExprOp::Trunc;
}

bool isBinaryElementwise(ExprOp op) {
  return op >= ExprOp::Add && op <= ExprOp::NotEqual;
}

bool isComparison(ExprOp op) {
  return op >= ExprOp::Less && op <= ExprOp::NotEqual;
}

bool isReduction(ExprOp op) {
  return op >= ExprOp::ReduceSum && op <= ExprOp::ReduceMin;
}

}  // namespace tessel
