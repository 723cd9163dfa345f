#pragma once
// Recursive-descent parser of TensorFlow-style expressions (Python syntax, TensorFlow op names
// with the tf., tf.math., tf.nn., keras.backend. and K. prefixes). It builds the expression into
// an ExprGraph with static shapes; every error is an ExprError with the character position.
// Grammar (Python precedence):
//   expr    := ['lambda' names ':'] compare
//   compare := sum [('<' | '<=' | '>' | '>=' | '==' | '!=') sum]
//   sum     := term (('+' | '-') term)*
//   term    := unary (('*' | '/' | '@') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := postfix ['**' unary]
//   postfix := primary ('(' args ')' | '[' subscripts ']')*
//   primary := number | string | name ('.' name)* | '(' expr ')' | '[' list ']'
#include <string>

#include "engine/expr/ExprGraph.h"
#include "engine/expr/ExprScope.h"

namespace tessel {

// Parses `text` into `graph` and returns the result node. Throws ExprError.
ExprId parseExpression(ExprGraph& graph, const std::string& text, const ExprScope& scope,
                       const ExprLimits& limits = {});

}  // namespace tessel
