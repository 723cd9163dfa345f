#include "engine/optimizers/SGD.h"

namespace tessel {

SGD::SGD(double learningRate, double momentum, bool nesterov)
    : momentum_(momentum), nesterov_(nesterov) {
  lr_ = learningRate;
  if (momentum_ != 0) slotKinds_ = {"m"};
}

nlohmann::json SGD::config() const {
  auto c = baseConfig();
  c["momentum"] = momentum_;
  c["nesterov"] = nesterov_;
  return c;
}

void SGD::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long) {
  auto w = var.value.array();
  const auto g = grad.array();
  const float a = float(lr);
  if (momentum_ == 0) {
    w -= a * g;
    return;
  }
  const float mu = float(momentum_);
  auto m = slots_[0][slot].array();
  m = mu * m - a * g;
  if (nesterov_)
    w += mu * m - a * g;
  else
    w += m;
}

}  // namespace tessel
