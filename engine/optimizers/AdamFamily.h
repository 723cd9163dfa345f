#pragma once
// The part Adam, Adamax and Nadam share: learning_rate, beta_1, beta_2 and epsilon (Keras
// defaults 0.001, 0.9, 0.999, 1e-7 in each subclass), written by config() next to the base keys.
#include <string>
#include <vector>

#include "engine/optimizers/Optimizer.h"

namespace tessel {

class AdamFamily : public Optimizer {
 public:
  nlohmann::json config() const override;

 protected:
  // slotKinds: the slot names in state() order ("m", "v", ...).
  AdamFamily(double learningRate, double beta1, double beta2, double epsilon,
             std::vector<std::string> slotKinds);
  double beta1_, beta2_, epsilon_;
};

}  // namespace tessel
