#include "engine/losses/KLDivergence.h"

#include "engine/losses/LossLayout.h"

namespace tessel {

using lossdetail::clampf;
using lossdetail::kEpsilon;

double KLDivergence::value(float t, float p, bool) const {
  const double tc = clampf(t, kEpsilon, 1.0f);
  const double pc = clampf(p, kEpsilon, 1.0f);
  return tc * std::log(tc / pc);
}

double KLDivergence::grad(float t, float p, bool) const {
  if (p < kEpsilon || p > 1.0f) return 0.0;
  return -double(clampf(t, kEpsilon, 1.0f)) / double(p);
}

}  // namespace tessel
