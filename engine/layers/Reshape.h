#pragma once
// keras.layers.Reshape: (N, ...) -> (N, *target_shape); one entry of target_shape may be -1
// (inferred from the rest). Row-major order is kept: a pure copy.
#include "engine/layers/Layer.h"

namespace tessel {

class Reshape : public Layer {
 public:
  explicit Reshape(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  // (N, *target) for `features` values per sample; throws ShapeMismatch (shape given for text).
  Shape resolve(Index features, const Shape& inputForMessage) const;
  Shape target_;
};

}  // namespace tessel
