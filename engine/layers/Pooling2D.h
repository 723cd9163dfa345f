#pragma once
// Base of MaxPooling2D / AveragePooling2D (and the 1-D ones, run with height 1). NHWC; TF's
// "same" padding: padded cells are ignored by max and not counted by the average (as TF).
//   max:  y[n,oy,ox,c] = max over the window;  backward routes dy to the argmax (kept from
//         forward).   avg: y = mean over the in-bounds window; dy spread evenly back.
#include <cstdint>

#include "engine/layers/ConvUtils.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Pooling2D : public Layer {
 public:
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 protected:
  Pooling2D(const std::string& className, const json& config, int rank, bool isMax);
  ConvGeom geometry(const Shape& in) const;

  int rank_;
  bool max_;
  std::vector<Index> pool_, strides_;  // (h, w); height 1 for rank 1
  std::string padding_;
  ConvGeom geom_;
  std::vector<std::int32_t> argmax_;  // per output element: flat input index within the sample
};

}  // namespace tessel
