#include "engine/losses/Hinge.h"

namespace tessel {

bool Hinge::batchFlag(const Tensor& yTrue) const {
  for (Index i = 0; i < yTrue.size(); ++i)
    if (yTrue[i] != 0.0f && yTrue[i] != 1.0f) return false;
  return true;
}

double Hinge::value(float t, float p, bool binaryLabels) const {
  const double tt = binaryLabels ? 2.0 * t - 1.0 : double(t);
  const double m = 1.0 - tt * p;
  return m > 0 ? m : 0.0;
}

// TF's maximum(x, 0) passes the gradient to x where x >= 0.
double Hinge::grad(float t, float p, bool binaryLabels) const {
  const double tt = binaryLabels ? 2.0 * t - 1.0 : double(t);
  return 1.0 - tt * p >= 0 ? -tt : 0.0;
}

}  // namespace tessel
