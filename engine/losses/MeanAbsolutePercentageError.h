#pragma once
// Keras MeanAbsolutePercentageError ("mean_absolute_percentage_error"). 100 * mean(|t - p| /
// max(|t|, 1e-7), axis=-1).
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class MeanAbsolutePercentageError : public ElementwiseLoss<MeanAbsolutePercentageError> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit MeanAbsolutePercentageError(std::string name = "mean_absolute_percentage_error")
      : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "MeanAbsolutePercentageError"; }
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;

 private:
  std::string name_;
};

}  // namespace tessel
