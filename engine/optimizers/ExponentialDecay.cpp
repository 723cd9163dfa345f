#include "engine/optimizers/ExponentialDecay.h"

#include <cmath>

namespace tessel {

std::unique_ptr<Schedule> ExponentialDecay::fromConfig(const nlohmann::json& c) {
  return fromConfigAs<ExponentialDecay>("ExponentialDecay", c);
}

double ExponentialDecay::operator()(long long step) const {
  return lr0_ * std::pow(rate_, progress(step));
}

}  // namespace tessel
