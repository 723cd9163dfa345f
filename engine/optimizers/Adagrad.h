#pragma once
// Keras Adagrad (learning_rate 0.001, initial_accumulator_value 0.1, epsilon 1e-7):
//   acc += g^2;  w -= lr g / sqrt(acc + eps)
// As tfjs-core's AdagradOptimizer and Keras 2.11+ (epsilon inside the square root). tfjs-layers'
// string "adagrad" uses learning rate 0.01; Keras's 0.001 is the default here. Slot:
// "accumulator".
#include "engine/optimizers/Optimizer.h"

namespace tessel {

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(double learningRate = 0.001, double initialAccumulatorValue = 0.1,
                   double epsilon = 1e-7);
  std::string name() const override { return "Adagrad"; }
  nlohmann::json config() const override;

 protected:
  void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) override;

 private:
  double initial_, epsilon_;
};

}  // namespace tessel
