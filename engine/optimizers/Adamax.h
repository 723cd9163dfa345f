#pragma once
// Keras Adamax (Keras defaults: OptimizerCatalog):
//   m = b1 m + (1 - b1) g;  u = max(b2 u, |g|);  w -= lr / (1 - b1^t) m / (u + eps)
// Same as tfjs-core's AdamaxOptimizer (with decay 0) and Keras 2.11+. tfjs-layers' string
// "adamax" uses learning rate 0.002; Keras's 0.001 is the default here. Slots: "m", "u".
#include "engine/optimizers/AdamFamily.h"

namespace tessel {

class Adamax : public AdamFamily {
 public:
  explicit Adamax(double learningRate, double beta1, double beta2, double epsilon);
  std::string name() const override { return "Adamax"; }

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;
};

}  // namespace tessel
