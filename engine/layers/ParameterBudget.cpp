#include "engine/layers/ParameterBudget.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

namespace {
thread_local ParameterBudget* innermost = nullptr;
}

ParameterBudget::ParameterBudget(std::int64_t limit) : limit_(limit), outer_(innermost) {
  // A nested budget only tightens: it never allows more than what its outer one has left.
  if (outer_) limit_ = std::min(limit_, outer_->limit_ - outer_->used_);
  innermost = this;
}

ParameterBudget::~ParameterBudget() {
  innermost = outer_;
}

void ParameterBudget::take(const std::string& layer, const std::string& variable,
                           const Shape& shape) {
  const std::int64_t limit = innermost ? innermost->limit_ : kMaxModelParameters;
  const std::int64_t used = innermost ? innermost->used_ : 0;
  const std::int64_t count = boundedProduct(shape, limit);
  if (count < 0 || count > limit - used)
    throw SpecError(SpecErrorKind::BadValue, layer,
                    variable + " of shape " + shapeToString(shape) +
                        " takes the model over the limit of " + countText(limit) + " parameters (" +
                        countText(used) + " already built)");
  if (innermost) innermost->used_ += count;
}

}  // namespace tessel
