#pragma once
// Keras MeanAbsoluteError ("mean_absolute_error"). mean(|p - t|, axis=-1); gradient sign(p - t) (0
// at 0, as TF's abs).
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class MeanAbsoluteError : public ElementwiseLoss<MeanAbsoluteError> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit MeanAbsoluteError(std::string name = "mean_absolute_error") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "MeanAbsoluteError"; }
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;

 private:
  std::string name_;
};

}  // namespace tessel
