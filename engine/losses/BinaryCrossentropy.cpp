#include "engine/losses/BinaryCrossentropy.h"

#include "engine/losses/LossLayout.h"

namespace tessel {

using lossdetail::kEpsilon;

nlohmann::json BinaryCrossentropy::config() const {
  return lossdetail::crossentropyConfig(Loss::config(), fromLogits_, labelSmoothing_);
}

double BinaryCrossentropy::value(float tf, float p, bool) const {
  const double t = smooth(tf);
  if (fromLogits_) {
    const double x = p;
    return (x > 0 ? x : 0.0) - x * t + std::log1p(std::exp(-std::fabs(x)));
  }
  const double pc = lossdetail::clampf(p, kEpsilon, 1.0f - kEpsilon);
  return -(t * std::log(pc) + (1.0 - t) * std::log(1.0 - pc));
}

double BinaryCrossentropy::grad(float tf, float p, bool) const {
  const double t = smooth(tf);
  if (fromLogits_) {
    const double x = p;
    const double s = x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
    return s - t;
  }
  if (p < kEpsilon || p > 1.0f - kEpsilon) return 0.0;  // clip_by_value passes [lo, hi]
  const double pd = p;
  return (pd - t) / (pd * (1.0 - pd));
}

}  // namespace tessel
