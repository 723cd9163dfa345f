#pragma once
// keras.layers.Flatten: (N, d1, ..., dk) -> (N, d1*...*dk). With data_format "channels_first" a
// rank >= 3 input (N, C, d1, ...) is first moved to channels-last order, as Keras does.
#include "engine/layers/Layer.h"

namespace tessel {

class Flatten : public Layer {
 public:
  explicit Flatten(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  bool channelsFirst_ = false;
};

}  // namespace tessel
