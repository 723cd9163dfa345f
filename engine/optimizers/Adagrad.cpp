#include "engine/optimizers/Adagrad.h"

namespace tessel {

Adagrad::Adagrad(double learningRate, double initialAccumulatorValue, double epsilon)
    : initial_(initialAccumulatorValue), epsilon_(epsilon) {
  lr_ = learningRate;
  slotKinds_ = {"accumulator"};
  slotInit_ = {float(initial_)};
}

nlohmann::json Adagrad::config() const {
  auto c = baseConfig();
  c["initial_accumulator_value"] = initial_;
  c["epsilon"] = epsilon_;
  return c;
}

void Adagrad::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long) {
  auto w = var.value.array();
  const auto g = grad.array();
  auto acc = slots_[0][slot].array();
  acc += g.square();
  w -= float(lr) * g / (acc + float(epsilon_)).sqrt();
}

}  // namespace tessel
