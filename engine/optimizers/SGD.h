#pragma once
// Keras SGD (Keras defaults: OptimizerCatalog), Keras 2.11+ form:
//   m = momentum m - lr g;  w += m  (nesterov: w += momentum m - lr g); plain: w -= lr g.
// tfjs's MomentumOptimizer accumulates a = momentum a + g and does w -= lr a (nesterov:
// w -= lr (g + momentum a)): identical while lr is constant; with a schedule Keras is followed.
#include "engine/optimizers/Optimizer.h"

namespace tessel {

class SGD : public Optimizer {
 public:
  explicit SGD(double learningRate, double momentum, bool nesterov);
  std::string name() const override { return "SGD"; }
  nlohmann::json config() const override;
  double momentum() const { return momentum_; }
  bool nesterov() const { return nesterov_; }

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  double momentum_;
  bool nesterov_;
};

}  // namespace tessel
