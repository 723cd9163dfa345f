#pragma once
// An error in an expression (syntax, unknown function, shape mismatch, limits), with the
// 0-based character position it refers to (-1 when it concerns the whole expression). what() is
// "at column C: message" (C = position + 1), detail() the message alone.
#include <string>

#include "engine/core/Error.h"

namespace tessel {

class ExprError : public Error {
 public:
  ExprError(int position, const std::string& message);
  int position() const { return position_; }
  const std::string& detail() const { return detail_; }

 private:
  int position_;
  std::string detail_;
};

}  // namespace tessel
