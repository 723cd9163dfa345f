#include "engine/layers/RandomTranslation.h"

#include <cmath>
#include <tuple>

#include "engine/core/Error.h"

namespace tessel {

RandomTranslation::RandomTranslation(const json& config)
    : RandomTransformLayer("RandomTranslation", config) {
  try {
    std::tie(hLo_, hHi_) = factorRange(config_.at("height_factor"), "height_factor");
    std::tie(wLo_, wHi_) = factorRange(config_.at("width_factor"), "width_factor");
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  auto check = [&](const std::string& k, double lo, double hi) {
    if (hi < lo)
      throwBadValue("`" + k + "` cannot have upper bound less than lower bound, got " +
                    config_.at(k).dump());
    if (std::fabs(lo) > 1.0 || std::fabs(hi) > 1.0)
      throwBadValue("`" + k + "` must have values between [-1, 1], got " + config_.at(k).dump());
  };
  check("height_factor", hLo_, hHi_);
  check("width_factor", wLo_, wHi_);
}

Projective RandomTranslation::draw(Rng& rng, Index h, Index w) const {
  const float ht = rng.uniform(float(hLo_), float(hHi_));
  const float wt = rng.uniform(float(wLo_), float(wHi_));
  return translationMatrix(wt * float(w), ht * float(h));
}

}  // namespace tessel
