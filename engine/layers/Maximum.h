#pragma once
// keras.layers.Maximum: y = max(x0, x1, ...) elementwise; every x_i and y are (N, ...), equal
// shapes. dx_i = dy where x_i is the first input holding the maximum, 0 elsewhere (TF's gradient of
// tf.maximum chained over the inputs, which is how Keras applies it).
#include "engine/layers/MergeLayer.h"

namespace tessel {

class Maximum : public MergeLayer {
 public:
  explicit Maximum(const json& config);
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
};

}  // namespace tessel
