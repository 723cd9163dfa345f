#pragma once
// keras.layers.ReLU (Keras 2 and 3 agree): elementwise, with t = threshold, a = negative_slope,
// m = max_value (null: no ceiling):
//   y = m                 if x >= m
//   y = x                 if t <= x < m
//   y = a * (x - t)       if x < t
//   x is (N, ...), y is (N, ...). MobileNetV2's ReLU(6.) is max_value = 6.
// dy/dx is 1 on [t, m), a below t, 0 from m on.
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

class ReLU : public Layer {
 public:
  explicit ReLU(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  std::optional<float> maxValue() const { return max_; }
  float negativeSlope() const { return slope_; }
  float threshold() const { return threshold_; }

 private:
  std::optional<float> max_;
  float slope_ = 0.0f;
  float threshold_ = 0.0f;
};

}  // namespace tessel
