#include "engine/layers/RandomZoom.h"

#include <cmath>
#include <tuple>

#include "engine/core/Error.h"

namespace tessel {

RandomZoom::RandomZoom(const json& config) : RandomTransformLayer("RandomZoom", config) {
  try {
    std::tie(hLo_, hHi_) = factorRange(config_.at("height_factor"), "height_factor");
    ownWidth_ = !config_.at("width_factor").is_null();
    if (ownWidth_) std::tie(wLo_, wHi_) = factorRange(config_.at("width_factor"), "width_factor");
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  if (std::fabs(hLo_) > 1.0 || std::fabs(hHi_) > 1.0)
    throwBadValue("`height_factor` must have values between [-1, 1], got " +
                  config_.at("height_factor").dump());
  if (ownWidth_ && (wLo_ < -1.0 || wHi_ < -1.0))
    throwBadValue("`width_factor` must have values larger than -1, got " +
                  config_.at("width_factor").dump());
}

Projective RandomZoom::draw(Rng& rng, Index h, Index w) const {
  const float zy = rng.uniform(float(1.0 + hLo_), float(1.0 + hHi_));
  const float zx = ownWidth_ ? rng.uniform(float(1.0 + wLo_), float(1.0 + wHi_)) : zy;
  return zoomMatrix(zx, zy, h, w);
}

}  // namespace tessel
