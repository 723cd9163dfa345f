#include "engine/layers/RandomRotation.h"

#include <cmath>
#include <tuple>

#include "engine/core/Error.h"

namespace tessel {

RandomRotation::RandomRotation(const json& config)
    : RandomTransformLayer("RandomRotation", config) {
  try {
    std::tie(lo_, hi_) = factorRange(config_.at("factor"), "factor");
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  if (hi_ < lo_)
    throwBadValue("`factor` cannot have upper bound less than lower bound, got " +
                  config_.at("factor").dump());
}

Projective RandomRotation::draw(Rng& rng, Index h, Index w) const {
  const double twoPi = 2.0 * M_PI;
  const float angle = rng.uniform(float(lo_ * twoPi), float(hi_ * twoPi));
  return rotationMatrix(angle, h, w);
}

}  // namespace tessel
