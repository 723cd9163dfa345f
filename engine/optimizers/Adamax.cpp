#include "engine/optimizers/Adamax.h"

#include <cmath>

namespace tessel {

Adamax::Adamax(double learningRate, double beta1, double beta2, double epsilon)
    : beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
  lr_ = learningRate;
  slotKinds_ = {"m", "u"};
}

nlohmann::json Adamax::config() const {
  auto c = baseConfig();
  c["beta_1"] = beta1_;
  c["beta_2"] = beta2_;
  c["epsilon"] = epsilon_;
  return c;
}

void Adamax::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) {
  auto w = var.value.array();
  const auto g = grad.array();
  const float b1 = float(beta1_), b2 = float(beta2_);
  const float c1 = float(lr / (1.0 - std::pow(beta1_, double(t))));
  auto m = slots_[0][slot].array();
  auto u = slots_[1][slot].array();
  m = b1 * m + (1.0f - b1) * g;
  u = (b2 * u).max(g.abs());
  w -= c1 * m / (u + float(epsilon_));
}

}  // namespace tessel
