#pragma once
// Keras LogCosh ("log_cosh"). mean(log(cosh(p - t)), axis=-1), computed as x + softplus(-2x) -
// log 2.
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class LogCosh : public ElementwiseLoss<LogCosh> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit LogCosh(std::string name = "log_cosh") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "LogCosh"; }
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;

 private:
  std::string name_;
};

}  // namespace tessel
