#include "engine/losses/LogCosh.h"

namespace tessel {

// log(cosh(x)) = |x| + log1p(exp(-2|x|)) - log(2), stable for large |x|.
double LogCosh::value(float t, float p, bool) const {
  const double a = std::fabs(double(p) - double(t));
  return a + std::log1p(std::exp(-2.0 * a)) - std::log(2.0);
}

double LogCosh::grad(float t, float p, bool) const {
  return std::tanh(double(p) - double(t));
}

}  // namespace tessel
