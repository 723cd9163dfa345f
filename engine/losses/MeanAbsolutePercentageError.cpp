#include "engine/losses/MeanAbsolutePercentageError.h"

#include <algorithm>

#include "engine/losses/LossLayout.h"

namespace tessel {

double MeanAbsolutePercentageError::value(float t, float p, bool) const {
  const double denom = std::max(std::fabs(double(t)), double(lossdetail::kEpsilon));
  return 100.0 * std::fabs(double(t) - double(p)) / denom;
}

double MeanAbsolutePercentageError::grad(float t, float p, bool) const {
  const double denom = std::max(std::fabs(double(t)), double(lossdetail::kEpsilon));
  const double s = p > t ? 1.0 : (p < t ? -1.0 : 0.0);
  return 100.0 * s / denom;
}

}  // namespace tessel
