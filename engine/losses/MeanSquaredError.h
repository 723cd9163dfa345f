#pragma once
// Keras MeanSquaredError ("mean_squared_error"). mean((p - t)^2, axis=-1).
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class MeanSquaredError : public ElementwiseLoss<MeanSquaredError> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit MeanSquaredError(std::string name = "mean_squared_error") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "MeanSquaredError"; }
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;

 private:
  std::string name_;
};

}  // namespace tessel
