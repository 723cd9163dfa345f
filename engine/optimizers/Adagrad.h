#pragma once
// Keras Adagrad (Keras defaults: OptimizerCatalog):
//   acc += g^2;  w -= lr g / sqrt(acc + eps)
// As tfjs-core's AdagradOptimizer and Keras 2.11+ (epsilon inside the square root). tfjs-layers'
// string "adagrad" uses learning rate 0.01; Keras's 0.001 is the default here. Slot:
// "accumulator".
#include "engine/optimizers/Optimizer.h"

namespace tessel {

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(double learningRate, double initialAccumulatorValue, double epsilon);
  std::string name() const override { return "Adagrad"; }
  nlohmann::json config() const override;

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  double initial_, epsilon_;
};

}  // namespace tessel
