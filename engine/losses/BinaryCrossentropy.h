#pragma once
// Keras BinaryCrossentropy, mean over the last axis.
//   from_logits: max(x, 0) - x t + log(1 + exp(-|x|))         (sigmoid_cross_entropy_with_logits)
//   else:        p clipped to [1e-7, 1 - 1e-7], -(t log p + (1 - t) log(1 - p)), zero gradient
//                where p was clipped. tfjs-layers computes exactly this (clip, logit, sigmoid CE);
//                Keras 2's backend also adds 1e-7 inside both logs (a ~1e-7 relative difference).
// label_smoothing s: t becomes t (1 - s) + s / 2.
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class BinaryCrossentropy : public ElementwiseLoss<BinaryCrossentropy> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit BinaryCrossentropy(bool fromLogits, double labelSmoothing,
                              std::string name = "binary_crossentropy")
      : fromLogits_(fromLogits), labelSmoothing_(labelSmoothing), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "BinaryCrossentropy"; }
  nlohmann::json config() const override;
  double value(float t, float p, bool flag) const;
  double grad(float t, float p, bool flag) const;
  bool fromLogits() const { return fromLogits_; }

 private:
  double smooth(float t) const { return t * (1.0 - labelSmoothing_) + 0.5 * labelSmoothing_; }
  bool fromLogits_;
  double labelSmoothing_;
  std::string name_;
};

}  // namespace tessel
