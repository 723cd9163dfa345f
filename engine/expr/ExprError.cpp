#include "engine/expr/ExprError.h"

namespace tessel {

ExprError::ExprError(int position, const std::string& message)
    : Error(position >= 0 ? "at column " + std::to_string(position + 1) + ": " + message : message),
      position_(position),
      detail_(message) {}

}  // namespace tessel
