#pragma once
// Base of GlobalMaxPooling1D/2D and GlobalAveragePooling1D/2D: x is (N, ..., C) with rank 3
// (1-D) or 4 (2-D); y is (N, C), or (N, 1, [1,] C) with keepdims (Keras 2).
//   avg: y = mean over the spatial positions; dx = dy / P.   max: dx = dy at the argmax.
//   GlobalAveragePooling1D honours a mask (N, T) as Keras 2: the mean over the unmasked steps.
#include <cstdint>

#include "engine/layers/Layer.h"

namespace tessel {

class GlobalPooling : public Layer {
 public:
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 protected:
  GlobalPooling(const std::string& className, const json& config, int rank, bool isMax);
  int rank_;
  bool max_, keepdims_;
  std::vector<std::int32_t> argmax_;  // (N, C): spatial position of the max
};

}  // namespace tessel
