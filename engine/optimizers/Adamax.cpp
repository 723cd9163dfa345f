#include "engine/optimizers/Adamax.h"

#include <cmath>

namespace tessel {

Adamax::Adamax(double learningRate, double beta1, double beta2, double epsilon)
    : AdamFamily(learningRate, beta1, beta2, epsilon, {"m", "u"}) {}

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
