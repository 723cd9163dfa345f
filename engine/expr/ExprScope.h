#pragma once
// The names an expression may use: tensors (graph nodes), lists of tensors (a Lambda's
// `inputs`), numbers and strings (a custom layer's parameters; a string parameter called as a
// function is an activation: `activation(x @ kernel + bias)`). `positional` names are what a
// leading `lambda a, b:` binds its parameters to, in order.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/expr/ExprNode.h"

namespace tessel {

struct ExprScope {
  std::map<std::string, ExprId> tensors;
  std::map<std::string, std::vector<ExprId>> lists;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
  std::vector<std::string> positional;
  // Called for a bare name that is none of the above (a new variable of the gradient
  // playground); returns -1 to report it as unknown.
  std::function<ExprId(const std::string& name, int position)> unknownName;
};

}  // namespace tessel
