#pragma once
// keras.layers.GaussianNoise: in training y = x + N(0, stddev²) noise (dy/dx = 1); identity in
// inference.
#include <optional>

#include "engine/layers/Layer.h"

namespace tessel {

class GaussianNoise : public Layer {
 public:
  explicit GaussianNoise(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  double stddev_;
  std::optional<Rng> ownRng_;
  Rng fallbackRng_{0};
};

}  // namespace tessel
