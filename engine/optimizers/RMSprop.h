#pragma once
// Keras RMSprop (Keras defaults: OptimizerCatalog):
//   v = rho v + (1 - rho) g^2
//   centered: a = rho a + (1 - rho) g;  d = v - a^2 + eps   else d = v + eps
//   inc = lr g / sqrt(d);  momentum > 0: mom = momentum mom + inc, w -= mom;  else w -= inc
// Same as tfjs-core's RMSPropOptimizer (epsilon inside the square root) and Keras 2.11+.
// Slots: "velocity", then "momentum" (momentum > 0), then "average_gradient" (centered).
#include "engine/optimizers/Optimizer.h"

namespace tessel {

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(double learningRate, double rho, double momentum, double epsilon, bool centered);
  std::string name() const override { return "RMSprop"; }
  nlohmann::json config() const override;

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  double rho_, momentum_, epsilon_;
  bool centered_;
  int momentumKind_ = -1, averageKind_ = -1;
};

}  // namespace tessel
