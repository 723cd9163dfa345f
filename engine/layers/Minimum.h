#pragma once
// keras.layers.Minimum: y = min(x0, x1, ...) elementwise; every x_i and y are (N, ...), equal
// shapes. dx_i = dy where x_i is the first input holding the minimum, 0 elsewhere (TF's gradient of
// tf.minimum chained over the inputs, which is how Keras applies it).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Minimum : public MergeLayer {
 public:
  explicit Minimum(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
