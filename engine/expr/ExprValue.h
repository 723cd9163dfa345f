#pragma once
// Internal to the parser (ExprParser.cpp, ExprFunctions.cpp): a parsed Python value before it
// becomes a graph node. Number literals stay numbers (shapes, axes, folded arithmetic); lists
// stay lists until a tensor is needed.
#include <map>
#include <string>
#include <vector>

#include "engine/expr/ExprGraph.h"

namespace tessel::exprparse {

struct Value {
  enum Kind { Tensor, Number, List, String, None, Bool, Dtype } kind = None;
  ExprId node = -1;
  double number = 0;
  bool isInt = false;
  std::vector<Value> items;
  std::string text;  // String, Dtype ("float32", "int32", "bool")
  int position = -1;
};

struct Call {
  std::string name;  // canonical function name
  std::string written;
  std::vector<Value> args;
  std::map<std::string, Value> kwargs;
  int position = -1;
};

// Converts a value to a graph node (numbers and nested number lists become constants).
ExprId toNode(ExprGraph& g, const Value& v);
// Builds a function call; throws ExprError at the call for unknown functions or bad arguments.
Value callFunction(ExprGraph& g, const Call& call);
// The canonical name of a dotted function name (tf.math.log -> log, K.mean -> reduce_mean), or
// "" when it is not a known function.
std::string canonicalFunction(const std::string& dotted);
// Applies a Keras activation by name (linear, relu, sigmoid, tanh, softplus, softmax, ...).
ExprId applyActivation(ExprGraph& g, const std::string& name, ExprId x, int position);

}  // namespace tessel::exprparse
