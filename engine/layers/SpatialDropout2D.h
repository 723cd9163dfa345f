#pragma once
// keras.layers.SpatialDropout2D: in training, drops whole feature maps. x is (N, H, W, C); the
// mask is (N, 1, 1, C): kept channels are scaled by 1 / (1 - rate). Identity in inference.
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

class SpatialDropout2D : public Layer {
 public:
  explicit SpatialDropout2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  double rate_;
  bool applied_ = false;
  std::vector<float> mask_;  // (N, C)
  std::optional<Rng> ownRng_;
  Rng fallbackRng_{0};
};

}  // namespace tessel
