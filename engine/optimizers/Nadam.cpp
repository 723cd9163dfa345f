#include "engine/optimizers/Nadam.h"

#include <cmath>

namespace tessel {

Nadam::Nadam(double learningRate, double beta1, double beta2, double epsilon)
    : AdamFamily(learningRate, beta1, beta2, epsilon, {"m", "v"}) {}

double Nadam::u(long long t) const {
  return beta1_ * (1.0 - 0.5 * std::pow(0.96, double(t)));
}

void Nadam::beginStep(long long t) {
  if (productT_ != t - 1) {  // first step, or iterations() was set (checkpoint restore)
    product_ = 1.0;
    for (long long s = 1; s < t; ++s) product_ *= u(s);
  }
  ut_ = u(t);
  ut1_ = u(t + 1);
  product_ *= ut_;
  productT_ = t;
  pt_ = product_;
  pt1_ = product_ * ut1_;
  b2t_ = std::pow(beta2_, double(t));
}

void Nadam::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long) {
  auto w = var.value.array();
  const auto g = grad.array();
  const float b1 = float(beta1_), b2 = float(beta2_);
  auto m = slots_[0][slot].array();
  auto v = slots_[1][slot].array();
  m = b1 * m + (1.0f - b1) * g;
  v = b2 * v + (1.0f - b2) * g.square();
  const float cm = float(ut1_ / (1.0 - pt1_)), cg = float((1.0 - ut_) / (1.0 - pt_));
  const float cv = float(1.0 / (1.0 - b2t_));
  w -= float(lr) * (cm * m + cg * g) / ((v * cv).sqrt() + float(epsilon_));
}

}  // namespace tessel
