#pragma once
// The parameters that the layers built on this thread may still create. Model and summaryTable
// hold one while they build a model's layers, so that a hostile but well-formed model (Dense with
// units 10^12) is refused by Layer::addVariable before its weights are allocated, with the limit
// named. Budgets nest: an inner one (each Model's own) never allows more than its outer one has
// left, so a caller may set a smaller limit around a Model. Without one, each variable alone is
// still held to kMaxModelParameters.
#include <string>

#include "engine/core/ResourceLimits.h"

namespace tessel {

class ParameterBudget {
 public:
  explicit ParameterBudget(std::int64_t limit = kMaxModelParameters);
  ~ParameterBudget();
  ParameterBudget(const ParameterBudget&) = delete;
  ParameterBudget& operator=(const ParameterBudget&) = delete;

  // Takes a variable of `shape` from the innermost budget of this thread. Throws SpecError
  // (BadValue, naming `layer`) when it does not fit; nothing is taken then.
  static void take(const std::string& layer, const std::string& variable, const Shape& shape);

 private:
  std::int64_t limit_;
  std::int64_t used_ = 0;
  ParameterBudget* outer_;
};

}  // namespace tessel
