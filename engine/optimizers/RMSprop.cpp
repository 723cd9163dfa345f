#include "engine/optimizers/RMSprop.h"

namespace tessel {

RMSprop::RMSprop(double learningRate, double rho, double momentum, double epsilon, bool centered)
    : rho_(rho), momentum_(momentum), epsilon_(epsilon), centered_(centered) {
  lr_ = learningRate;
  // Built in one go: GCC 12 -O3 warns (-Warray-bounds, a false positive) on push_back of a
  // 16-character string literal here.
  std::vector<std::string> kinds{"velocity"};
  if (momentum_ > 0) momentumKind_ = int(kinds.size()), kinds.emplace_back("momentum");
  if (centered_) averageKind_ = int(kinds.size()), kinds.emplace_back("average_gradient");
  slotKinds_ = std::move(kinds);
}

nlohmann::json RMSprop::config() const {
  auto c = baseConfig();
  c["rho"] = rho_;
  c["momentum"] = momentum_;
  c["epsilon"] = epsilon_;
  c["centered"] = centered_;
  return c;
}

void RMSprop::update(size_t slot, Variable& var, const Tensor& grad, double lr, long long) {
  auto w = var.value.array();
  const auto g = grad.array();
  const float rho = float(rho_), eps = float(epsilon_), a = float(lr);
  auto v = slots_[0][slot].array();
  v = rho * v + (1.0f - rho) * g.square();
  // w -= inc, or with momentum: mom = momentum mom + inc, w -= mom. inc = lr g / sqrt(d) is an
  // expression, evaluated inside these assignments.
  auto step = [&](const auto& inc) {
    if (momentumKind_ >= 0) {
      auto mom = slots_[size_t(momentumKind_)][slot].array();
      mom = float(momentum_) * mom + inc;
      w -= mom;
    } else {
      w -= inc;
    }
  };
  if (centered_) {
    auto avg = slots_[size_t(averageKind_)][slot].array();
    avg = rho * avg + (1.0f - rho) * g;
    step(a * g / (v - avg.square() + eps).sqrt());
  } else {
    step(a * g / (v + eps).sqrt());
  }
}

}  // namespace tessel
