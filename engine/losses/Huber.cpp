#include "engine/losses/Huber.h"

namespace tessel {

nlohmann::json Huber::config() const {
  auto c = Loss::config();
  c["delta"] = delta_;
  return c;
}

double Huber::value(float t, float p, bool) const {
  const double e = double(p) - double(t);
  const double a = std::fabs(e);
  return a <= delta_ ? 0.5 * e * e : delta_ * a - 0.5 * delta_ * delta_;
}

double Huber::grad(float t, float p, bool) const {
  const double e = double(p) - double(t);
  if (std::fabs(e) <= delta_) return e;
  return e > 0 ? delta_ : -delta_;
}

}  // namespace tessel
