#pragma once
// Keras Nadam (Keras defaults: OptimizerCatalog), Keras 2.11+ form
// (tfjs has no Nadam):
//   u_t = b1 (1 - 0.5 * 0.96^t),  u_{t+1} = b1 (1 - 0.5 * 0.96^(t+1)),  P_t = prod_{s<=t} u_s
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t);  v_hat = v / (1 - b2^t)
//   w -= lr m_hat / (sqrt(v_hat) + eps)
// (The legacy Keras 2 Nadam used 0.96^(0.004 t); the 2.11+ optimizer and Keras 3 use 0.96^t.)
// Slots: "m", "v". P_t is recomputed from iterations(), so no extra state.
#include "engine/optimizers/AdamFamily.h"

namespace tessel {

class Nadam : public AdamFamily {
 public:
  explicit Nadam(double learningRate, double beta1, double beta2, double epsilon);
  std::string name() const override { return "Nadam"; }

 protected:
  void beginStep(long long t) override;
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  double u(long long t) const;
  long long productT_ = 0;  // P_productT_ = product_
  double product_ = 1.0;
  double ut_ = 0, ut1_ = 0, pt_ = 0, pt1_ = 0, b2t_ = 0;  // for the current step
};

}  // namespace tessel
