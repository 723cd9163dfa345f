#pragma once
// An expression graph: an arena of ExprNodes whose ids are a topological order (a node's inputs
// are always older). add() infers the static shape and reports a mismatch as an ExprError at the
// node's character position. Derivative graphs (ExprGradient) are added to the same arena, so a
// derivative can be differentiated again.
#include <string>
#include <vector>

#include "engine/expr/ExprError.h"
#include "engine/expr/ExprNode.h"

namespace tessel {

// Bounds on untrusted expressions.
struct ExprLimits {
  size_t maxChars = 64 * 1024;  // source text length
  int maxDepth = 64;            // parser nesting (parentheses, calls, unary signs)
  size_t maxNodes = 1 << 16;    // nodes in the graph, derivatives included
};

// Values one node may hold per sample (its static shape with the batch dimension as 1): 64 MiB.
inline constexpr Index kExprMaxElements = Index(1) << 24;

class ExprGraph {
 public:
  explicit ExprGraph(size_t maxNodes = ExprLimits{}.maxNodes) : maxNodes_(maxNodes) {}

  // Variable number `index` (bound when the graph runs), shape with kNone where unknown.
  ExprId input(int index, const Shape& shape, int position = -1);
  ExprId constant(float value, int position = -1);
  ExprId constant(Tensor value, int position = -1);
  // A new node; throws ExprError(position) when the input shapes do not fit the op.
  ExprId add(ExprOp op, std::vector<ExprId> inputs, ExprAttrs attrs = {}, int position = -1);

  const ExprNode& node(ExprId id) const { return nodes_[size_t(id)]; }
  const Shape& shape(ExprId id) const { return nodes_[size_t(id)].shape; }
  size_t size() const { return nodes_.size(); }
  // The scalar constant value of a node, or false when it is not a scalar constant.
  bool scalarConstant(ExprId id, float& value) const;

 private:
  ExprId push(ExprNode n);
  std::vector<ExprNode> nodes_;
  size_t maxNodes_;
};

}  // namespace tessel
