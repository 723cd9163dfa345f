#pragma once
// Keras Hinge: mean(max(1 - t p, 0), axis=-1). As Keras 2 (losses._maybe_convert_labels), when
// every label of the batch is 0 or 1 the labels are first converted to -1 / 1 (tfjs-layers does
// not convert; Keras is followed).
#include <cmath>

#include "engine/losses/ElementwiseLoss.h"

namespace tessel {

class Hinge : public ElementwiseLoss<Hinge> {
 public:
  static constexpr bool kSumLastAxis = false;
  explicit Hinge(std::string name = "hinge") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "Hinge"; }
  double value(float t, float p, bool binaryLabels) const;
  double grad(float t, float p, bool binaryLabels) const;
  bool batchFlag(const Tensor& yTrue) const;  // all labels in {0, 1}

 private:
  std::string name_;
};

}  // namespace tessel
