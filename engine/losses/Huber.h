#pragma once
// Keras Huber ("huber_loss"): e = p - t; 0.5 e^2 where |e| <= delta, else delta (|e| - delta/2);
// mean over the last axis. delta defaults to 1.0.
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class Huber : public ElementwiseLoss<Huber> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit Huber(double delta, std::string name = "huber_loss")
      : delta_(delta), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "Huber"; }
  nlohmann::json config() const override;
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;
  double delta() const { return delta_; }

 private:
  double delta_;
  std::string name_;
};

}  // namespace tessel
