#include "engine/losses/MeanSquaredError.h"

namespace tessel {

double MeanSquaredError::value(float t, float p, bool) const {
  const double e = double(p) - double(t);
  return e * e;
}

double MeanSquaredError::grad(float t, float p, bool) const {
  return 2.0 * (double(p) - t);
}

}  // namespace tessel
