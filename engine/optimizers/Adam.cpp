#include "engine/optimizers/Adam.h"

#include <cmath>

namespace tessel {

Adam::Adam(double learningRate, double beta1, double beta2, double epsilon, bool amsgrad)
    : AdamFamily(learningRate, beta1, beta2, epsilon, {"m", "v"}), amsgrad_(amsgrad) {
  if (amsgrad_) slotKinds_.push_back("vhat");
}

nlohmann::json Adam::config() const {
  auto c = AdamFamily::config();
  c["amsgrad"] = amsgrad_;
  return c;
}

void Adam::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) {
  auto w = var.value.array();
  const auto g = grad.array();
  const float b1 = float(beta1_), b2 = float(beta2_), eps = float(epsilon_);
  const float c1 = float(lr / (1.0 - std::pow(beta1_, double(t))));   // lr / (1 - b1^t)
  const float c2 = float(1.0 / (1.0 - std::pow(beta2_, double(t))));  // 1 / (1 - b2^t)
  auto m = slots_[0][slot].array();
  auto v = slots_[1][slot].array();
  m = b1 * m + (1.0f - b1) * g;
  v = b2 * v + (1.0f - b2) * g.square();
  if (amsgrad_) {
    auto vh = slots_[2][slot].array();
    vh = vh.max(v);
    w -= c1 * m / ((vh * c2).sqrt() + eps);
  } else {
    w -= c1 * m / ((v * c2).sqrt() + eps);
  }
}

}  // namespace tessel
