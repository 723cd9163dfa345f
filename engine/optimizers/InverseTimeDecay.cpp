#include "engine/optimizers/InverseTimeDecay.h"

namespace tessel {

std::unique_ptr<Schedule> InverseTimeDecay::fromConfig(const nlohmann::json& c) {
  return fromConfigAs<InverseTimeDecay>("InverseTimeDecay", c);
}

double InverseTimeDecay::operator()(long long step) const {
  return lr0_ / (1.0 + rate_ * progress(step));
}

}  // namespace tessel
