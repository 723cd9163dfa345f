#pragma once
// keras.layers.GRU (Keras 2), gates in Keras order z, r, h:
//   reset_after=true (Keras 2 default, the CuDNN form): bias (2, 3U) = [input bias; recurrent bias]
//     inner = h_{t-1}·R + b_rec;  z = ra(x_z + inner_z), r = ra(x_r + inner_r),
//     hh = act(x_h + r * inner_h)
//   reset_after=false (Keras 1 / TF.js form): bias (3U)
//     z = ra(x_z + h_{t-1}·R_z), r = ra(x_r + h_{t-1}·R_r), hh = act(x_h + (r * h_{t-1})·R_h)
//   h_t = z * h_{t-1} + (1 - z) * hh      (x_* = x_t·W_* + input bias; act tanh, ra sigmoid).
//   kernel (F, 3U), recurrent_kernel (U, 3U). The loop, masks and dropout are RecurrentLayer's.
#include "engine/layers/RecurrentLayer.h"

namespace tessel {

class GRU : public RecurrentLayer {
 public:
  explicit GRU(const json& config);
  bool resetAfter() const { return resetAfter_; }

 protected:
  Shape biasShape() const override;
  void cellPrepare(Index n, Index steps) override;
  void cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                   const ConstUnalignedMatrixMap& hPrev, const float* cPrev,
                   UnalignedMatrixMap hNew, float* cNew) override;
  void cellBackward(Index t, const ConstUnalignedMatrixMap& p, const ConstUnalignedMatrixMap& a,
                    const ConstUnalignedMatrixMap& hPrev, const float* cPrev, const float* dh,
                    const float* dc, UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev,
                    float* dcPrev) override;

 private:
  bool resetAfter_ = true;
  Tensor inner_;   // (T, N, 3U) reset_after: h·R + b_rec; reset_before: (T, N, U) r * hPrev
  Tensor dInner_;  // (N, 3U)
  Tensor da_;      // (N, 3U)
};

}  // namespace tessel
