#include "engine/expr/ExprGraph.h"

#include <algorithm>

#include "engine/expr/ExprShapes.h"

namespace tessel {

ExprId ExprGraph::push(ExprNode n) {
  if (nodes_.size() >= maxNodes_)
    throw ExprError(n.position, "the expression is too large (more than " +
                                    std::to_string(maxNodes_) + " operations)");
  nodes_.push_back(std::move(n));
  return ExprId(nodes_.size() - 1);
}

ExprId ExprGraph::input(int index, const Shape& shape, int position) {
  ExprNode n;
  n.op = ExprOp::Input;
  n.attrs.index = index;
  n.shape = shape;
  n.position = position;
  return push(std::move(n));
}

ExprId ExprGraph::constant(float value, int position) {
  return constant(Tensor(Shape{}, value), position);
}

ExprId ExprGraph::constant(Tensor value, int position) {
  ExprNode n;
  n.op = ExprOp::Constant;
  n.shape = value.shape();
  n.attrs.constant = std::make_shared<const Tensor>(std::move(value));
  n.position = position;
  return push(std::move(n));
}

bool ExprGraph::scalarConstant(ExprId id, float& value) const {
  const ExprNode& n = node(id);
  if (n.op != ExprOp::Constant || n.attrs.constant->size() != 1 || !n.shape.empty()) return false;
  value = (*n.attrs.constant)[0];
  return true;
}

ExprId ExprGraph::add(ExprOp op, std::vector<ExprId> inputs, ExprAttrs attrs, int position) {
  std::vector<const Shape*> shapes;
  for (ExprId i : inputs) shapes.push_back(&shape(i));
  // Small algebra that keeps derivative graphs short: x * 1, 1 * x, x + 0, 0 + x.
  if ((op == ExprOp::Mul || op == ExprOp::Add) && inputs.size() == 2) {
    const float unit = op == ExprOp::Mul ? 1.0f : 0.0f;
    float v;
    if (scalarConstant(inputs[1], v) && v == unit) return inputs[0];
    if (scalarConstant(inputs[0], v) && v == unit) return inputs[1];
  }
  ExprNode n;
  n.op = op;
  n.position = position;
  try {
    n.shape = exprshape::infer(op, attrs, shapes);
  } catch (const ExprError&) {
    throw;
  } catch (const Error& e) {
    throw ExprError(position, e.what());
  }
  Index elements = 1;
  for (Index d : n.shape)  // capped at kExprMaxElements + 1 each step: no overflow
    if (d >= 0)
      elements = std::min(elements * std::min(d, kExprMaxElements + 1), kExprMaxElements + 1);
  if (elements > kExprMaxElements)
    throw ExprError(position, "the result of " + std::string(exprOpName(op)) + " is too large (" +
                                  shapeToString(n.shape) + ")");
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  return push(std::move(n));
}

}  // namespace tessel
