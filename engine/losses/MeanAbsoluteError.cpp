#include "engine/losses/MeanAbsoluteError.h"

namespace tessel {

double MeanAbsoluteError::value(float t, float p, bool) const {
  return std::fabs(double(p) - double(t));
}

double MeanAbsoluteError::grad(float t, float p, bool) const {
  return p > t ? 1.0 : (p < t ? -1.0 : 0.0);
}

}  // namespace tessel
