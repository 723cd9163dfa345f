#pragma once
// Keras KLDivergence ("kl_divergence"): t and p clipped to [1e-7, 1], sum(t log(t / p), axis=-1).
// The gradient is zero where p was clipped (TF's clip_by_value gradient).
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class KLDivergence : public ElementwiseLoss<KLDivergence> {
 public:
  static constexpr bool kSumLastAxis = true;
  explicit KLDivergence(std::string name = "kl_divergence") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "KLDivergence"; }
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;

 private:
  std::string name_;
};

}  // namespace tessel
