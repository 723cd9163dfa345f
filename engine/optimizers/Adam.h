#pragma once
// Keras Adam (Keras defaults: OptimizerCatalog) with
// tfjs-core's AdamOptimizer numerics:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Keras 2.11+ computes lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), w -= lr_t m / (sqrt(v) + eps), i.e.
// the same with eps scaled by sqrt(1 - b2^t): the two differ only while sqrt(v) is near eps.
// amsgrad (Keras only): v_hat = max(v_hat, v) replaces v in the update.
// Slots: "m", "v", then "vhat" (amsgrad).
#include "engine/optimizers/AdamFamily.h"

namespace tessel {

class Adam : public AdamFamily {
 public:
  explicit Adam(double learningRate, double beta1, double beta2, double epsilon, bool amsgrad);
  std::string name() const override { return "Adam"; }
  nlohmann::json config() const override;

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  bool amsgrad_;
};

}  // namespace tessel
