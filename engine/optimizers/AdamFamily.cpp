#include "engine/optimizers/AdamFamily.h"

namespace tessel {

AdamFamily::AdamFamily(double learningRate, double beta1, double beta2, double epsilon,
                       std::vector<std::string> slotKinds)
    : beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
  lr_ = learningRate;
  slotKinds_ = std::move(slotKinds);
}

nlohmann::json AdamFamily::config() const {
  auto c = baseConfig();
  c["beta_1"] = beta1_;
  c["beta_2"] = beta2_;
  c["epsilon"] = epsilon_;
  return c;
}

}  // namespace tessel
