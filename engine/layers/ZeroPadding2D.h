#pragma once
// keras.layers.ZeroPadding2D: x (N, H, W, C) → y (N, top+H+bottom, left+W+right, C), zeros
// around; dx is the interior of dy. Cropping2D is the reverse (see Cropping2D.h).
#include "engine/layers/Layer.h"

namespace tessel {

class ZeroPadding2D : public Layer {
 public:
  explicit ZeroPadding2D(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

 private:
  std::vector<Index> pad_;  // top, bottom, left, right
};

// Copies the window of `big` (N, Hb, Wb, C) at (top, left) of size (hs, ws) to/from `small`
// (N, hs, ws, C). toSmall: small ← window; else: window ← small (rest of big untouched).
void copyWindow2D(float* big, Index hb, Index wb, float* small, Index n, Index hs, Index ws,
                  Index c, Index top, Index left, bool toSmall);

}  // namespace tessel
