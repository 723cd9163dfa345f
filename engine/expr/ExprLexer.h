#pragma once
// Splits an expression into tokens with their character positions: numbers, names, quoted
// strings and Python's operators (** @ // <= >= == != ...). Throws ExprError at a character that
// belongs to no token.
#include <string>
#include <vector>

namespace tessel {

struct ExprToken {
  enum Kind { Number, Name, String, Op, End } kind = End;
  std::string text;  // the operator, the name, the string's contents or the number as written
  double number = 0;
  bool isInt = false;
  int position = 0;
};

std::vector<ExprToken> tokenizeExpression(const std::string& text);

}  // namespace tessel
